"""The web inbox (站内信): each account's notifications, and the count in every header.

Reading never marks anything: a GET changes no state. Each notice has a small form,
"查看 Open", that marks it read and goes to its order; another marks them all read. Both
are posts answered by a redirect, like every action of the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app, flash, g, redirect, render_template, request, url_for

from negotiation.runtime import runtime
from negotiation.services.notifications import inbox as inbox_service
from negotiation.services.notifications.inbox import PAGE_SIZE, UNREAD_CAP, NoticeView
from negotiation.web.blueprint import bp
from negotiation.web.identity import current_caller, login_required, signed_in_caller
from negotiation.web.labels import file_size, label, money, notice, points, text
from negotiation.web.timefmt import local

# One sentence per notification type, Chinese first, the English beside it; ``{name}``
# is the event's data as :func:`_values` shows it.
SENTENCES = {
    "card.sent": "卖家发来第 {seq} 张协商卡片，请在到期前回复 The seller sent card {seq}; "
                 "answer by {expires_at}",
    "card.accepted": "买家已接受第 {seq} 张协商卡片 The buyer accepted card {seq}: "
                     "{proposed_ship_by}",
    "card.rejected": "买家已拒绝第 {seq} 张协商卡片 The buyer rejected card {seq}",
    "card.expiring_soon": "第 {seq} 张协商卡片即将过期 Card {seq} lapses soon: {expires_at}",
    "card.expired": "第 {seq} 张协商卡片已过期，买家未回复 Card {seq} lapsed unanswered",
    "card.voided": "第 {seq} 张协商卡片已作废 Card {seq} was voided",
    "order.deadline_changed": "发货时效已变更 The ship-by changed: {to}",
    "negotiation.agreed": "协商达成 Negotiation agreed: {agreed_ship_by}",
    "negotiation.failed": "协商失败 The negotiation failed",
    "compensation.paid": "已向买家自动赔付 The buyer was compensated: {amount}",
    "report.approved": "报备 #{report_id} 审核通过 Delay report #{report_id} approved",
    "report.rejected": "报备 #{report_id} 被驳回 Delay report #{report_id} rejected",
    "violation.late_shipment": "记录发货超时 Late shipment recorded (时效 due {due_at})",
    "violation.collection_timeout": "记录揽收超时 Collection timeout recorded "
                                    "(时效 due {due_at})",
    "violation.exempted": "违规已豁免 Violation waived (时效 due {due_at})",
    "violation.disproved": "违规已撤销，实际按时 Violation disproved: the deadline was met",
    "penalty.deducted": "扣保证金 Deposit deducted: {amount} · 扣分 points {points}",
    "penalty.revoked": "撤销判罚 Penalty reversed: {amount} · 分数 points {points}",
    "api_key.revoked": "API 密钥已撤销 API key revoked: {name} ({account_name})",
    "webhook_endpoint.disabled": "Webhook 地址已停用 Webhook endpoint disabled: {url}",
}
# Data shown under the sentence when the event has it and the sentence does not say it.
DETAILS = {
    "kind": "类型 Kind",
    "note": "留言 Note",
    "preferred_ship_by": "买家希望的发货时间 Preferred ship-by",
    "proposed_ship_by": "提议发货时间 Proposed ship-by",
    "from": "原发货时效 Was",
    "source": "时效来源 Deadline source",
    "latest_ship_at": "最晚发货时间 Latest ship-by",
    "latest_collect_at": "最晚揽收时间 Latest collection",
    "exempted_by": "豁免依据 Waived by",
    "reason": "原因 Reason",
}
INSTANTS = {"proposed_ship_by", "preferred_ship_by", "expires_at", "to", "from",
            "agreed_ship_by", "due_at", "latest_ship_at", "latest_collect_at", "ship_by",
            "window_start", "window_end", "starts_at", "ends_at", "at", "collected_at"}
# The words for an event's data on a timeline, by key. Ids the page shows otherwise (a
# card by its number, a report by its link) are left out.
CAPTIONS = {
    **DETAILS,
    "seq": "卡片 Card", "late": "超时 Late", "ship_by": "发货时效 Ship-by",
    "to": "新发货时效 Now", "ship_by_source": "时效来源 Deadline source",
    "expires_at": "回复截止 Answer by", "agreed_ship_by": "约定发货时间 Agreed ship-by",
    "due_at": "到期 Due", "amount": "金额 Amount", "points": "扣分 Points",
    "carrier": "快递公司 Carrier", "tracking_no": "运单号 Tracking number",
    "filename": "文件 File", "size": "大小 Size", "orders": "订单数 Orders",
    "remark": "备注 Remark", "region": "地区 Region", "status": "状态 Status",
    "window_start": "时段开始 Window starts", "window_end": "时段结束 Window ends",
    "applies_on": "扣款日 Applies on", "exemption_id": "区域豁免 Regional exemption",
}
HIDDEN_KEYS = {"card_id", "order_id", "report_id", "store_id", "account_id", "entry_id",
               "violation_id", "shipment_id"}
# The label table of a value, by key; by (family or type, key) where a key means another
# vocabulary there. A value of no table (a note, a webhook's failure) is shown as written.
VALUE_TABLES: dict[str | tuple[str, str], str] = {
    "kind": "violation_kind", "source": "ship_by_source", "exempted_by": "exempted_by",
    "ship_by_source": "ship_by_source", "status": "report_status",
    ("report", "kind"): "report_kind", ("report", "reason"): "report_reason",
    ("card", "reason"): "card_reason", ("negotiation", "reason"): "failed_reason",
    ("penalty.revoked", "kind"): "ledger_kind",
}


@dataclass(frozen=True)
class ShownNotice:
    notice: NoticeView
    heading: str
    sentence: str
    details: list[str]


# --- the header's count ----------------------------------------------------------------


@bp.app_template_global("event_details")
def _event_details(event_type: str, data: dict[str, Any]) -> list[str]:
    return event_details(event_type, data)


@bp.context_processor
def inbox_count() -> dict[str, Any]:
    """``inbox_unread`` for base.html: the unread count as shown ("3", "99+"), or None.

    Read once per request (one COUNT), however many templates the request renders.
    """
    caller = current_caller()
    if caller is None or caller.account_id is None:
        return {"inbox_unread": None}
    if "inbox_unread" not in g:
        # Autocommit: a read for the header takes no transaction (on SQLite, no write lock).
        g.inbox_unread = shown_count(
            inbox_service.unread_count(runtime().autocommit_uow(), caller))
    return {"inbox_unread": g.inbox_unread}


def shown_count(count: int) -> str | None:
    """Nothing when all is read; past the cap, "99+" (the count stops there)."""
    if not count:
        return None
    return f"{UNREAD_CAP - 1}+" if count >= UNREAD_CAP else str(count)


# --- the page and its two actions ------------------------------------------------------


@bp.get("/inbox")
@login_required
def inbox() -> Any:
    cursor = request.args.get("cursor") or None
    view = inbox_service.list_inbox(
        runtime().autocommit_uow(), signed_in_caller(), cursor=cursor,
        limit=int(current_app.config.get("WEB_INBOX_PAGE_SIZE", PAGE_SIZE)))
    shown = [shown_notice(n) for n in view.notices.items]
    return render_template("inbox.html", notices=shown, next_cursor=view.notices.next_cursor,
                           waiting=view.waiting, first_page=cursor is None,
                           now=runtime().clock.now())


@bp.post("/inbox/<id:event_id>/open")
@login_required
def open_notice(event_id: int) -> Any:
    order_no = inbox_service.open_notice(runtime().uow(), signed_in_caller(), event_id)
    if order_no is None:  # of no order: its inbox entry says all there is
        return redirect(url_for("web.inbox"))
    return redirect(url_for("web.order", order_no=order_no))


@bp.post("/inbox/read-all")
@login_required
def mark_all_read() -> Any:
    marked = inbox_service.mark_all_read(runtime().uow(), signed_in_caller())
    flash(notice("notifications_read", count=marked), "success")
    return redirect(url_for("web.inbox"))


# --- what a notice says ----------------------------------------------------------------


def shown_notice(notice: NoticeView) -> ShownNotice:
    values = _values(notice)
    template = SENTENCES.get(notice.type, "{type}")
    said = _placeholders(template)
    details = [f"{caption}: {values[key]}" for key, caption in DETAILS.items()
               if key in values and key not in said]
    return ShownNotice(notice, label(notice.type, "event_type"),
                       template.format_map(_Missing(values)), details)


def event_details(event_type: str, data: dict[str, Any]) -> list[str]:
    """An event's data on a timeline, in words: "卡片 Card: 2", never ``card_id: 7``."""
    values = _values_of(event_type, data)
    return [f"{CAPTIONS.get(key, key)}: {values[key]}" for key in data
            if key in values and key not in HIDDEN_KEYS]


def _values(notice: NoticeView) -> dict[str, str]:
    return _values_of(notice.type, notice.data)


def _values_of(event_type: str, data: dict[str, Any]) -> dict[str, str]:
    """The event's data as people read it: local times, yuan, bilingual labels."""
    family = event_type.split(".", 1)[0]
    values: dict[str, str] = {"type": event_type}
    for key, value in data.items():
        if value is None or value == "":
            continue
        table = (VALUE_TABLES.get((event_type, key)) or VALUE_TABLES.get((family, key))
                 or VALUE_TABLES.get(key))
        if isinstance(value, bool):
            values[key] = text("yes" if value else "no")
        elif key == "size" and isinstance(value, int):
            values[key] = file_size(value)
        elif key in INSTANTS and isinstance(value, str):
            values[key] = local(datetime.fromisoformat(value.replace("Z", "+00:00")))
        elif key == "amount":
            values[key] = money(value)
        elif key == "points":
            values[key] = points(value)
        else:
            values[key] = label(value, table) if table else str(value)
    return values


def _placeholders(template: str) -> set[str]:
    return {part.split("}", 1)[0] for part in template.split("{")[1:]}


class _Missing(dict[str, str]):
    """A sentence whose event lacks a value (an older event) still reads: a dash."""

    def __missing__(self, key: str) -> str:
        return "—"
