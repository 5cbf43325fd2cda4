"""The pages' catalogue: Chinese labels with the English beside them, for every closed
vocabulary shown and for the interface's own sentences (``UI``, ``CONFIRM``).

Vocabularies are keyed by the API's own values, so the pages and the JSON speak of the
same things; a value missing here is shown as itself rather than failing the page. Each
entry is "中文 English": one place to change for an English-only or Chinese-only mode.
"""

from __future__ import annotations

from decimal import Decimal

from markupsafe import Markup, escape

from negotiation.domain import errors, places

ORDER_STATUS = {
    "awaiting_shipment": "待发货 Awaiting shipment",
    "shipped": "已发货 Shipped",
    "closed": "已关闭 Closed",
}

ORDER_KIND = {
    "physical": "实物 Physical",
    "virtual": "虚拟 Virtual",
    "scheduled_delivery": "预约配送 Scheduled delivery",
}

SHIP_MODE = {
    "normal": "普通 Normal",
    "express": "极速 Express",
    "tiered": "分层 Tiered",
}

SHIP_BY_SOURCE = {
    "original": "原始时效 Original deadline",
    "agreed_card": "协商约定 Agreed card",
    "delay_report": "延迟发货报备 Delay report",
    "regional_extension": "区域延期 Regional extension",
}

NEGOTIATION_STATE = {
    "open": "可协商 Open",
    "awaiting_buyer": "等待买家回复 Awaiting buyer",
    "agreed": "已达成一致 Agreed",
    "failed": "协商失败 Failed",
    "closed": "已结束 Closed",
}

CARD_STATE = {
    "pending": "待回复 Pending",
    "accepted": "已接受 Accepted",
    "rejected": "已拒绝 Rejected",
    "expired": "已过期 Expired",
    "withdrawn": "已撤回 Withdrawn",
    "voided": "已作废 Voided",
}

CARD_REASON = {
    "buyer_request": "买家要求 Buyer request",
    "custom_made": "定制商品 Custom-made goods",
    "stock_shortage": "库存不足 Stock shortage",
    "address_issue": "地址问题 Address issue",
    "other": "其他 Other",
}

ROLE = {
    "owner": "主账号 Store owner",
    "agent": "客服子账号 Store agent",
    "buyer": "买家 Buyer",
    "reviewer": "平台审核 Reviewer",
    "admin": "平台管理员 Admin",
}

EVENT_TYPE = {
    "order.created": "订单创建 Order created",
    "order.deadline_changed": "发货时效变更 Ship deadline changed",
    "order.shipped": "订单发货 Order shipped",
    "card.sent": "发出协商卡片 Card sent",
    "card.accepted": "买家接受 Card accepted",
    "card.rejected": "买家拒绝 Card rejected",
    "card.expired": "卡片过期 Card expired",
    "card.withdrawn": "卖家撤回 Card withdrawn",
    "card.voided": "卡片作废 Card voided",
    "card.expiring_soon": "卡片即将过期 Card lapses soon",
    "negotiation.agreed": "协商达成 Negotiation agreed",
    "negotiation.failed": "协商失败 Negotiation failed",
    "negotiation.closed": "协商结束 Negotiation closed",
    "report.submitted": "提交报备 Delay report submitted",
    "report.approved": "报备审核通过 Delay report approved",
    "report.rejected": "报备被驳回 Delay report rejected",
    "report.withdrawn": "报备已撤回 Delay report withdrawn",
    "report.evidence_added": "报备补充凭证 Evidence added to a delay report",
    "appeal.submitted": "提交申诉 Appeal submitted",
    "appeal.upheld": "申诉被驳回，违规维持 Appeal upheld: the violation stands",
    "appeal.overturned": "申诉成立，违规撤销 Appeal overturned: the violation is waived",
    "violation.late_shipment": "发货超时 Late shipment recorded",
    "violation.collection_timeout": "揽收超时 Collection timeout recorded",
    "violation.exempted": "违规已豁免 Violation waived",
    "violation.disproved": "违规已撤销（实际按时）Violation disproved: the deadline was met",
    "penalty.deducted": "扣保证金 Deposit deducted",
    "penalty.revoked": "撤销判罚 Penalty revoked",
    "compensation.paid": "自动赔付 Buyer compensated",
    "product.banned": "商品禁售 Product banned",
    "order.closed": "订单关闭 Order closed",
    "order.refunded": "订单退款 Order refunded",
    "shipment.collected": "快递揽收 Collected by the carrier",
    "shipment.in_transit": "运输中 In transit",
    "shipment.delivered": "已签收 Delivered",
    "api_key.revoked": "API 密钥已撤销 API key revoked",
    "webhook_endpoint.disabled": "Webhook 地址已停用 Webhook endpoint disabled",
}

# Why a negotiation failed (``negotiation.failed``'s ``reason``).
FAILED_REASON = {
    "cards_exhausted": "协商卡片次数已用完 No cards left",
    "deadline_passed": "已过发货时效 The ship deadline passed",
}

ACTION = {
    "propose": "发送协商卡片 Send a proposal",
    "accept": "接受 Accept",
    "reject": "拒绝 Reject",
    "withdraw": "撤回 Withdraw",
    "ship": "发货 Ship",
    "file_delay_report": "延迟发货报备 File a delay report",
}

REPORT_KIND = {
    "shipment": "延迟发货报备 Delay-shipment report",
    "collection": "延迟揽收报备 Delay-collection report",
    "store": "店铺报备 Store report",
}

REPORT_REASON = {
    "large_conference": "大型会议 Large conference",
    "major_event": "重大赛事 Major sports event",
    "natural_disaster": "自然灾害 Natural disaster",
    "merchant_factor": "商家因素 Merchant factors",
    "special_order": "特殊订单 Special order",
    "dual_address": "双地址 Dual address",
    "epidemic_control": "疫情/政策管控 Epidemic or policy control",
    "buyer_requested": "消费者要求延迟发货 Buyer asked to delay",
    "stock_shortage": "超卖/库存不足 Stock shortage or overselling",
}

REPORT_STATUS = {
    "pending_review": "待审核 Pending review",
    "approved": "已通过 Approved",
    "rejected": "已驳回 Rejected",
    "withdrawn": "已撤回 Withdrawn",
}

# The ``action`` of a report's history entries.
REPORT_ACTION = {
    "submitted": "提交报备 Submitted",
    "evidence_added": "上传凭证 Evidence added",
    "approved": "审核通过 Approved",
    "rejected": "审核驳回 Rejected",
    "withdrawn": "卖家撤回 Withdrawn",
}

VIOLATION_KIND = {
    "late_shipment": "发货超时 Late shipment",
    "collection_timeout": "揽收超时 Collection timeout",
}

# What waived a violation (API.md's ``exempted_by``).
EXEMPTED_BY = {
    "agreed_card": "协商约定 Agreed card",
    "delay_report": "报备通过 Approved delay report",
    "regional_exemption": "区域豁免 Regional exemption",
    "appeal": "申诉成立 Overturned on appeal",
}

APPEAL_STATE = {
    "pending_review": "待审核 Pending review",
    "upheld": "维持违规 Violation upheld",
    "overturned": "已撤销违规 Violation overturned",
}

# Why a store says a violation should not stand (申诉理由).
APPEAL_REASON = {
    "deadline_was_met": "按时发货 The deadline was met",
    "carrier_fault": "快递原因 The carrier's fault",
    "platform_fault": "平台原因 The platform's fault",
    "force_majeure": "不可抗力 Force majeure",
    "buyer_requested": "买家要求 The buyer asked",
    "other": "其他 Other",
}

# A regional exemption's or extension's state (domain.declarations.DeclarationState).
DECLARATION_STATE = {
    "upcoming": "未开始 Upcoming",
    "active": "生效中 Active",
    "ended": "已结束 Ended",
}

PLACE_KIND = {
    "province": "省 Province",
    "autonomous_region": "自治区 Autonomous region",
    "municipality": "直辖市 Municipality",
    "special_administrative_region": "特别行政区 Special administrative region",
    "city": "市 City",
}

LEDGER_KIND = {
    "deposit_deduction": "扣保证金 Deposit deduction",
    "buyer_compensation": "自动赔付 Buyer compensation",
    "reversal": "冲正 Reversal",
}

EXTENSION_CAUSE = {
    "high_risk": "中高风险地区 High-risk region",
    "carrier_suspension": "快递停运 Carriers suspended",
}

REFUSAL = {
    errors.NEGOTIATION_REVOKED: "店铺协商发货功能已被收回 Negotiation revoked",
    errors.ORDER_NOT_AWAITING_SHIPMENT: "订单不在待发货状态 Order not awaiting shipment",
    errors.PAST_SHIP_DEADLINE: "已过发货时效 Past the ship deadline",
    errors.ORDER_KIND_EXCLUDED: "该类订单不支持协商 Order kind excluded",
    errors.CARD_LIMIT_REACHED: "协商卡片次数已用完 Card limit reached",
    errors.ALREADY_AGREED: "已达成一致，不可再协商 Already agreed",
    errors.CARD_PENDING: "已有卡片等待买家回复 A card is pending",
    errors.PROPOSAL_OUT_OF_RANGE: "提议时间超出允许范围 Proposal out of range",
    errors.CARD_NOT_PENDING: "卡片不在待回复状态 Card not pending",
    errors.CARD_EXPIRED: "卡片已过期 Card expired",
    errors.TRACKING_NUMBER_IN_USE: "运单号已被使用 Tracking number in use",
    errors.REPORT_NOT_PENDING: "报备不在待审核状态 Report not pending review",
    errors.REPORT_NOT_APPLICABLE: "该订单不适用报备 Report not applicable",
    errors.EVIDENCE_TOO_LARGE: "凭证文件过大 Evidence file too large",
    errors.EVIDENCE_TYPE_NOT_ALLOWED: "凭证文件类型不支持 Evidence type not allowed",
    errors.EVIDENCE_LIMIT_REACHED: "凭证数量已达上限 Evidence limit reached",
    errors.WEBHOOK_URL_NOT_ALLOWED: "不允许的回调地址 Webhook URL not allowed",
    errors.DECLARATION_ENDED: "已经结束，不能再结束 Already ended",
    errors.APPEAL_NOT_PENDING: "申诉不在待审核状态 Appeal not pending review",
    errors.VIOLATION_NOT_APPEALABLE: "该违规不能申诉 Violation not appealable",
    "validation_error": "输入有误 Invalid input",
    "conflict": "操作冲突，请重试 Conflict, please retry",
    "forbidden": "无权操作 Not permitted",
    "not_found": "未找到 Not found",
}

# The API's field names, as a refusal's detail names them, for a page without that field
# (``forms.common.in_labels``; a form's own fields are named by their labels). Only
# snake_case names: a plain word such as ``note`` is English wherever it is not a field.
FIELD = {
    "proposed_ship_by": "提议发货时间 Proposed ship-by",
    "preferred_ship_by": "希望的发货时间 Preferred ship-by",
    "ship_at": "假如在此时发货 Ship at",
    "ship_by": "发货时效 Ship by",
    "paid_at": "付款时间 Paid at",
    "starts_at": "时段开始 Window starts at",
    "ends_at": "时段结束 Window ends before",
    "window_start": "报备时段开始 Window start",
    "window_end": "报备时段结束 Window end",
    "latest_ship_at": "最晚发货时间 Latest ship time",
    "latest_collect_at": "最晚揽收时间 Latest collection time",
    "order_no": "订单号 Order number",
    "order_nos": "订单号 Order numbers",
    "tracking_no": "运单号 Tracking number",
    "tracking_nos": "运单号 Tracking numbers",
    "submitted_from": "提交日期从 Submitted from",
    "submitted_to": "提交日期至 Submitted to",
    "store_id": "店铺编号 Store id",
    "buyer_id": "买家账号 Buyer account",
    "suspended_carriers": "停运快递数 Suspended carriers",
    "expires_at": "过期时间 Expires at",
    "event_types": "事件类型 Event types",
    "covered_by_report": "主动报备通过 Covered by an approved report",
}

# Before an action that cannot be undone: the question the page asks (web.confirmation).
CONFIRM = {
    "withdraw_card": "确定撤回这张卡片吗？撤回的卡片仍计入次数。"
                     "Withdraw this card? A withdrawn card still counts toward the limit.",
    "accept_card": "确定接受吗？接受后发货时效即改为提议的时间，不能再协商。"
                   "Accept? The proposed time becomes the ship-by, and there is no "
                   "renegotiation.",
    "ship": "确定发货吗？发货后不能撤销。Ship the order? This cannot be undone.",
    "approve_report": "确定通过这份报备吗？报备的最晚时间将用于所涉订单。"
                      "Approve this report? Its latest time will count for what it covers.",
    "reject_report": "确定驳回这份报备吗？Reject this report?",
    "withdraw_report": "确定撤回这份报备吗？撤回后不再审核，也不再覆盖任何订单。"
                       "Withdraw this report? It will not be reviewed and covers nothing.",
    "end_exemption": "确定现在结束这项区域豁免吗？此后到期的超时不再豁免，结束后不能恢复。"
                     "End this regional exemption now? Timeouts falling due from now on are "
                     "no longer waived, and it cannot be resumed.",
    "end_extension": "确定现在结束这项区域延期吗？此后创建的订单不再延期，结束后不能恢复。"
                     "End this regional extension now? Orders created from now on are not "
                     "extended, and it cannot be resumed.",
}

# What a page says after an action succeeded (a flash), by name, filled in by ``notice``.
NOTICE = {
    "signed_in": "已登录 Signed in.",
    "signed_out": "已退出 Signed out.",
    "card_sent": "已发出第 %(seq)s 张协商卡片 Card %(seq)s sent: %(at)s.",
    "card_accepted": "已接受，新的发货时效 Accepted; the ship-by is now %(at)s.",
    "card_rejected": "已拒绝第 %(seq)s 张卡片 Card %(seq)s rejected.",
    "card_withdrawn": "已撤回第 %(seq)s 张卡片 Card %(seq)s withdrawn.",
    "shipped": "已发货 Shipped: %(carrier)s %(tracking_no)s.",
    "shipped_late": "已发货 Shipped: %(carrier)s %(tracking_no)s 已超过发货时效 (late).",
    "report_submitted": "已提交报备 #%(id)s，审核截止 %(due)s。Report #%(id)s submitted; review "
                        "is due by %(due)s.",
    "report_filed_without_evidence": "报备已提交，但凭证文件未能上传，请在下方重新上传。The report "
                                     "was filed, but the evidence file was not attached; "
                                     "upload it again below. (%(refusal)s)",
    "evidence_attached": "已上传凭证 Evidence attached: %(filename)s.",
    "report_approved": "已通过报备 #%(id)s Report #%(id)s approved.",
    "report_rejected": "已驳回报备 #%(id)s Report #%(id)s rejected.",
    "report_withdrawn": "已撤回报备 #%(id)s Report #%(id)s withdrawn.",
    "appeal_submitted": "已提交申诉 #%(id)s Appeal #%(id)s submitted.",
    "appeal_decided": "申诉 Appeal #%(id)s: %(state)s",
    "exemption_declared": "已登记区域豁免 #%(id)s（%(region)s），已豁免已记录的违规 %(waived)s 条。"
                          "Regional exemption #%(id)s for %(region)s recorded: %(waived)s "
                          "recorded violation(s) waived.",
    "extension_declared": "已登记区域延期 #%(id)s（%(region)s），%(extended)s 个订单的发货时效"
                          "已延长。"
                          "Regional extension #%(id)s for %(region)s recorded: %(extended)s "
                          "order(s) extended.",
    "exemption_ended": "区域豁免 #%(id)s 已结束，此后到期的超时不再豁免。Regional exemption "
                       "#%(id)s ended: timeouts falling due from now on are no longer waived.",
    "extension_ended": "区域延期 #%(id)s 已结束，此后创建的订单不再延期；已延长的发货时效不变。"
                       "Regional extension #%(id)s ended: orders created from now on are not "
                       "extended; deadlines already moved stay moved.",
    "notifications_read": "已将 %(count)s 条通知标为已读 %(count)s notifications marked read.",
}

# The interface's own sentences, by name; templates read them with the ``text`` filter.
UI = {
    "summary_title": "提交未成功，请修改以下内容 Not saved: please correct the following",
    "confirm_title": "请确认 Please confirm",
    "confirm_yes": "确定 Yes, go ahead",
    "confirm_no": "取消，返回 No, go back",
    "resubmit_title": "表单已失效 The form has expired",
    "resubmit_detail": "为安全起见，表单在登录状态变化后失效。"
                       "您填写的内容已保留，请确认后重新提交。"
                       "For your safety the form expired (the sign-in changed). What you typed "
                       "is kept below; submit it again.",
    "resubmit_files": "选择的文件需要重新选择。A chosen file must be chosen again.",
    "resubmit_yes": "重新提交 Submit again",
    "system": "系统 System",
    "platform": "平台 Platform",
    "account": "账号 Account",
    "yes": "是 Yes",
    "no": "否 No",
    # base.html and sign_in.html
    "site_name": "协商发货 Negotiated shipping",
    "skip_to_content": "跳到正文 Skip to content",
    "nav_main": "主导航 Main",
    "nav_orders": "订单 Orders",
    "nav_inbox": "站内信 Inbox",
    "nav_reports": "报备 Reports",
    "nav_new_report": "新建报备 New report",
    "nav_penalties": "罚单 Penalties",
    "nav_review_queue": "审核队列 Review queue",
    "nav_store_penalties": "店铺罚单 Store penalties",
    "nav_exemptions": "区域豁免 Regional exemptions",
    "store_no": "店铺 store #%(id)s",
    "sign_out": "退出 Sign out",
    "footer": "界面为中文，英文附后；所有时间均为北京时间（%(zone)s，UTC+8）。Chinese labels with "
              "English beside them; all times are shown in %(zone)s (UTC+8).",
    "sign_in": "登录 Sign in",
    "sign_in_detail": "请输入您的访问令牌（Bearer token）。Enter the access token you were given.",
    "sign_in_token_hint": "令牌只用于本次登录，不会保存在浏览器中。The token is used once to sign "
                          "in; it is not stored in your browser.",
    # inbox.html
    "cards_waiting": "待您回复的协商卡片 Cards waiting for your answer",
    "card_no": "第 %(seq)s 张协商卡片 Card %(seq)s",
    "proposed_ship_by": "提议发货时间 Proposed ship-by",
    "answer_by": "回复截止 Answer by",
    "go_answer": "去回复 Answer",
    "notifications": "通知 Notifications",
    "mark_all_read": "全部标为已读 Mark all read",
    "unread": "未读 Unread",
    "open": "查看 Open",
    "mark_read": "标为已读 Mark read",
    "no_notifications": "暂无通知。No notifications yet.",
    "no_more_notifications": "没有更多通知。No more notifications.",
    "newest": "最新 Newest",
    "more_notifications": "更早的通知 More",
    # reports.html
    "delay_reports": "报备 Delay reports",
    "filter_clear_all": "清除筛选，显示全部 Clear filters, show all",
    "correct_filters": "请修改筛选条件。Correct the filters above.",
    "overdue_first": "超时未审的排在最前。Overdue reports first.",
    "earliest_due_first": "审核截止最早的在前。Earliest review due first.",
    "col_report": "报备 Report",
    "col_store": "店铺 Store",
    "col_kind": "类型 Kind",
    "col_reason": "原因 Reason",
    "col_covers": "报备对象 Covers",
    "col_status": "状态 Status",
    "col_submitted": "提交时间 Submitted",
    "col_waited": "等待时长 Waited",
    "no_reports_match": "没有符合条件的报备。No reports match.",
    "no_more_reports": "没有更多报备。No more reports.",
    # Shared by the lists.
    "filter": "筛选 Filter",
    "filter_clear": "清除筛选 Clear",
    "pages": "分页 Pages",
    "first_page": "第一页 First page",
    "next_page": "下一页 Next page",
    "no_more": "没有更多。No more.",
    "newest_first_times_in": "最新的在前，时间为 %(zone)s。Newest first; times in %(zone)s.",
    "col_no": "编号 No.",
    "col_region": "地区 Region",
    "col_window": "时段 Window",
    "col_note": "备注 Note",
    "col_declared": "登记 Declared",
    "col_state": "状态 State",
    "col_action": "操作 Action",
    "col_cause": "原因 Cause",
    # exemptions.html
    "exemptions_title": "区域豁免 Regional exemptions",
    "exemptions_heading": "区域豁免与延期 Regional exemptions and extensions",
    "exemptions_listed": "已登记的区域豁免 Regional exemptions",
    "extensions_listed": "已登记的区域延期 Regional extensions",
    "col_waived": "豁免的违规 Violations waived",
    "col_original_ship_by": "原始发货时效 Original ship-by",
    "ended_early_by": "由 %(who)s 提前结束 Ended early by %(who)s",
    "end_now": "结束 End now",
    "no_exemptions": "尚未登记区域豁免。No regional exemptions yet.",
    "no_exemptions_match": "没有符合筛选的区域豁免。No regional exemptions match.",
    "no_extensions": "尚未登记区域延期。No regional extensions yet.",
    "no_extensions_match": "没有符合筛选的区域延期。No regional extensions match.",
    "declare_exemption_title": "登记区域豁免 Declare a regional exemption",
    "declare_exemption_detail": "该地区内到期时间落在时段内的发货超时、揽收超时自动豁免，无需报备；"
                                "已记录的违规也会豁免并冲正其扣款。Timeouts in the region falling "
                                "due inside the window are waived with no report needed; those "
                                "already recorded are waived too and their charges reversed.",
    "region_exact_hint": "只匹配地区恰为所选项的订单：选省不含其下城市的订单。Matches the orders "
                         "whose region is exactly the one chosen: a province does not include "
                         "the orders of its cities.",
    "declare_exemption": "登记豁免 Declare the exemption",
    "declare_extension_title": "登记区域延期 Declare a regional extension",
    "declare_extension_detail": "该地区内原始发货时效落在时段内的订单（含之后创建的）发货时效延长 "
                                "%(days)s 天。Orders in the region whose original ship-by falls "
                                "in the window, and those created later, get %(days)s more days "
                                "to ship.",
    "suspended_carriers_hint": "至少 %(least)s 家快递停运时可延期。A carrier suspension extends "
                               "from %(least)s suspended carriers.",
    "declare_extension": "登记延期 Declare the extension",
    # The appeal pages.
    "appeal": "申诉 Appeal",
    "appeals": "违规申诉 Appeals",
    "appeals_waiting": "待审申诉 Appeals waiting",
    "none_waiting": "暂无 None waiting.",
    "appeal_a_violation": "申诉违规 Appeal a violation",
    "submit_appeal": "提交申诉 Submit the appeal",
    "appeal_reason": "理由 Reason",
    "violation": "违规 Violation",
    "disproved_in_time": "违规已撤销（实际按时）Disproved: the deadline was met",
    "review_due": "审核截止 Review due",
    "decided": "处理 Decided",
    "review_note": "审核备注 Reviewer's note",
    "uphold_title": "维持违规 Uphold: the violation stands",
    "overturn_title": "撤销违规 Overturn: waive it and reverse its charges",
    "uphold": "维持违规 Uphold",
    "overturn": "撤销违规 Overturn",
    # Shared by the pages.
    "order": "订单 Order",
    "overdue": "已超时 Overdue",
    "description": "说明 Description",
    "submitted": "提交 Submitted",
    "evidence": "凭证 Evidence",
    "no_evidence": "暂无凭证 No evidence yet.",
    "upload": "上传 Upload",
}

# The order pages' words: the order list, an order, its assessment, the ledger, the report
# form, the error page.
UI |= {
    "orders_title": "订单 Orders",
    "orders_mine": "我的订单 My orders",
    "orders_filter": "筛选 Filter",
    "orders_all": "全部订单 All orders",
    "covered_by_report": "主动报备通过 Covered by an approved report",
    "orders_sorted": "待发货的订单在前，发货时效最近的在最前；已发货和已关闭的在后。"
                     "Orders still to ship come first, the soonest ship-by first; shipped "
                     "and closed orders follow.",
    "times_in": "时间为 Times in",
    "order_no": "订单号 Order no.",
    "order_status": "订单状态 Status",
    "ship_by": "发货时效 Ship by",
    "deadline_source": "时效来源 Deadline source",
    "negotiation": "协商状态 Negotiation",
    "order_overdue": "已超时未发货 Overdue: not shipped by its deadline",
    "orders_none_covered": "没有主动报备通过的订单。No order is covered by an approved report.",
    "orders_none": "暂无订单。No orders yet.",
    "orders_no_more": "没有更多订单。No more orders.",
    "ledger_title": "店铺罚单 Penalty ledger",
    "ledgers_title": "店铺罚单 Store penalty ledgers",
    "ledgers_pick": "选择店铺 Choose a store",
    "ledgers_no_store": "还没有店铺。There are no stores yet.",
    "ledgers_by_id": "或按店铺编号打开 Or open one by its id",
    "store_flagged": "待审查 Flagged for review",
    "ledger_open": "查看 Open the ledger",
    "ledger_of_store": "店铺罚单 Penalty ledger of store",
    "ledger_days_hint": "按北京时间的自然日计算，一次最多 366 天。"
                        "Calendar days, at most 366 at once, in",
    "ledger_show": "查询 Show",
    "ledger_fix_dates": "请修改日期。Correct the dates above.",
    "ledger_totals": "合计 Totals",
    "ledger_net_hint": "冲正记为负数，合计为仍然有效的金额。Reversals count negative: the net "
                       "is what stands.",
    "ledger_per_day": "每日合计 Totals per day",
    "ledger_day": "日期 Day",
    "ledger_deducted": "扣保证金 Deducted",
    "ledger_compensated": "赔付买家 Compensated",
    "ledger_reversed": "冲正 Reversed",
    "ledger_points": "扣分 Points",
    "ledger_net": "合计 Net",
    "ledger_entries": "明细 Entries",
    "ledger_oldest_first": "最早的在前。Oldest first.",
    "ledger_entry": "编号 Entry",
    "ledger_order": "订单 Order",
    "ledger_kind": "类型 Kind",
    "ledger_violation": "违规 Violation",
    "ledger_amount": "金额 Amount",
    "ledger_at": "记录时间 At",
    "ledger_applies_on": "扣款日 Applies on",
    "ledger_marks": "备注 Marks",
    "ledger_reverses": "冲正 #%(n)s Reverses #%(n)s",
    "ledger_revoked": "已撤销 Revoked",
    "ledger_nothing": "该时段没有记录。Nothing recorded in this range.",
    "ledger_no_more": "没有更多记录。No more entries.",
    "ledger_more": "更多 More",
    "back_to_orders": "返回订单列表 Back to the orders",
    "report_new": "新建报备 New delay report",
    "reports_all": "报备 All reports",
    "used_by": "仅用于 Used by:",
    "report_form_intro": "先选择报备类型，再只填写该类型需要的内容；每一项都注明了适用的类型。"
                         "Choose the kind of report, then fill in only what that kind needs; "
                         "each field says which kinds use it.",
    "report_prefilled": "订单 %(order_no)s 当前发货时效 %(ship_by)s（%(source)s）；最晚发货时间须"
                        "晚于此时间。Order %(order_no)s must currently ship by %(ship_by)s; "
                        "the latest ship time must be after it.",
    "one_per_line": "每行一个，或用逗号分隔。One per line, or separated by commas.",
    "window_covers": "覆盖发货时效落在该时段内的全部订单。Covers every order whose deadline "
                     "falls in the window.",
    "choose_file_again": "请重新选择文件：出错后浏览器不会保留已选的文件。Choose the file "
                         "again: a browser does not keep a chosen file when the form comes "
                         "back.",
    "more_evidence_later": "提交后也可在报备页补充。More can be added on the report page.",
    "report_submit": "提交报备 Submit report",
    "assessment": "考核 Assessment",
    "preview_status": "预览：假如在 %(at)s 发货。以下数额包含已记录的部分和此次发货将新增的部分；"
                      "预览不会记录任何内容。Preview: shipping at %(at)s. The figures add what "
                      "is recorded and what shipping then would add; nothing is recorded by a "
                      "preview.",
    "preview_closes": "订单将于 %(at)s 自动关闭并退款，不会再发货：以下为关闭时的情况。The "
                      "order closes automatically, refunded, at %(at)s and never ships: below "
                      "is what stands at the close.",
    "preview_clear": "取消预览 Clear the preview",
    "effective_ship_by": "有效发货时效 Effective ship-by",
    "collect_by": "揽收时效 Collect-by",
    "first_collection": "首次揽收 First collection",
    "deposit_deduction": "扣保证金 Deposit deduction",
    "buyer_compensation": "赔付买家 Buyer compensation",
    "product_banned": "商品禁售 Product banned",
    "order_closed": "订单关闭 Closed",
    "violations": "违规 Violations",
    "due": "到期 Due",
    "detected": "记录 Detected",
    "exempted_by": "豁免 Exempted by",
    "added_by_preview": "预览新增 Added by the preview",
    "not_recorded": "未记录 Not recorded",
    "disproved": "已撤销 Disproved",
    "counts": "未豁免 Counts",
    "no_violations": "没有违规。No violations.",
    "preview_title": "预览发货成本 Preview: what would shipping then cost?",
    "preview_hint": "只计算，不记录。Calculated only; nothing is recorded.",
    "preview": "预览 Preview",
    "store_ledger_link": "店铺罚单 The store's penalty ledger",
    "orders_list": "订单列表 All orders",
    "answer_needed": "待您回复 Your answer is needed",
    "seller_asks": "卖家请求在 %(at)s 前发货，接受还是拒绝？The seller asks to ship by %(at)s; "
                   "accept or reject?",
    "reason": "原因 Reason",
    "accept_card": "接受第 %(n)s 张卡片 Accept card %(n)s",
    "preferred_hint": "仅供卖家参考，不具约束力。A hint for the seller, not binding.",
    "reject_card": "拒绝第 %(n)s 张卡片 Reject card %(n)s",
    "reject": "拒绝 Reject",
    "order_facts": "订单信息 Order facts",
    "order_kind": "订单类型 Kind",
    "ship_mode": "揽收模式 Ship mode",
    "region": "地区 Region",
    "paid_at": "付款时间 Paid at",
    "original_ship_by": "原始发货时效 Original ship-by",
    "current_ship_by": "当前发货时效 Current ship-by",
    "shipped_at": "发货时间 Shipped at",
    "reported_ship_by": "报备最晚发货时间 Reported ship-by",
    "negotiated_shipping": "协商发货 Negotiated shipping",
    "negotiation_state": "协商状态 State",
    "cards": "卡片 Cards",
    "cards_used": "已用 %(used)s 张，剩余 %(left)s 张 · %(used)s used, %(left)s left",
    "agreed_ship_by": "约定发货时间 Agreed ship-by",
    "card_history": "卡片记录 Card history",
    "card_n": "第 %(n)s 张卡片 Card %(n)s",
    "remark": "备注 Remark",
    "sent": "发出时间 Sent",
    "answered": "回复时间 Answered",
    "buyer_note": "买家说明 Buyer's note",
    "buyer_preferred": "买家希望的发货时间 Buyer's preferred ship-by",
    "no_cards": "尚未发出协商卡片。No proposal cards yet.",
    "what_you_can_do": "您可以 What you can do",
    "failed_may_report": "协商失败，可申请延迟发货报备 Negotiation failed: you may file a delay "
                         "report",
    "failed_report_detail": "订单保留原发货时效；如符合报备情形，可提交延迟发货报备，"
                            "订单号已为您填好。The order keeps its original deadline. If it "
                            "fits a delay-report case, file a report; the order number is "
                            "filled in for you.",
    "file_report": "申请延迟发货报备 File a delay report",
    "file_report_for_order": "申请延迟发货报备 File a delay report for this order",
    "withdrawn_counts": "撤回的卡片仍计入次数。A withdrawn card still counts toward the limit.",
    "withdraw_card": "撤回第 %(n)s 张卡片 Withdraw card %(n)s",
    "send_card": "发送协商卡片 Send a proposal card",
    "send_proposal": "发送 Send proposal",
    "ship_order": "发货 Ship the order",
    "ship": "确认发货 Ship",
    "unavailable": "不可用 unavailable",
    "nothing_to_do": "当前没有您可执行的操作。Nothing for you to do here right now.",
    "timeline": "时间线 Timeline",
    "timeline_readers": "时间线对店铺、买家和平台审核开放。The timeline is shown to the store, "
                        "the buyer and reviewers.",
    "report_n": "报备 Report #%(n)s",
    "later_events": "更多 Later events",
    "no_events": "暂无事件。No events yet.",
    "collect_by_unknown": "上传运单号后确定 Known once a tracking number is uploaded",
    "collect_by_waived_by_agreed_card":
        "揽收时效早于协商约定的发货时效：包裹尚未到发货时间，到此时未揽收不计超时；"
        "若在此之前已发货，仍须按时揽收。The agreed card lets the parcel leave later, so "
        "it waives this collect-by while the parcel is not yet due to leave; one shipped "
        "before it must still be collected by it.",
    "collect_by_waived_by_delay_report":
        "揽收时效早于报备通过的发货时效：包裹尚未到发货时间，到此时未揽收不计超时；"
        "若在此之前已发货，仍须按时揽收。The approved report lets the parcel leave later, "
        "so it waives this collect-by while the parcel is not yet due to leave; one "
        "shipped before it must still be collected by it.",
    "collect_by_waived_by_regional_exemption":
        "区域豁免：到此时未揽收不计超时。A regional exemption waives a collection timeout "
        "due then.",
}

# report.html: one delay report, its evidence, decisions and history.
UI |= {
    "report_facts": "报备内容 The report",
    "report_kind": "报备类型 Kind",
    "report_reason": "报备原因 Reason",
    "report_tracking_nos": "运单号 Tracking numbers",
    "report_window": "报备时段 Window",
    "report_orders": "涉及订单 Orders",
    "report_latest_ship_at": "最晚发货时间 Latest ship time",
    "report_latest_collect_at": "最晚揽收时间 Latest collection time",
    "report_description": "情况说明 Description",
    "col_file": "文件 File",
    "col_type": "类型 Type",
    "col_size": "大小 Size",
    "col_uploaded": "上传 Uploaded",
    "add_evidence": "上传凭证 Add evidence",
    "approve_title": "审核通过 Approve",
    "approve_detail": "通过后，报备的最晚时间即作为所涉订单的时效。Once approved, the "
                      "report's latest time counts for what it covers.",
    "approve": "通过 Approve",
    "reject_title": "驳回 Reject",
    "reject_report": "驳回 Reject",
    "withdraw_report_detail": "撤回后报备不再审核，也不再覆盖任何订单。A withdrawn report is "
                              "not reviewed and covers nothing.",
    "withdraw_report": "撤回报备 Withdraw the report",
    "review_history": "审核记录 Review history",
    "history_note": "备注 Note:",
    "nothing_recorded": "暂无记录。Nothing recorded yet.",
}

# consent.html: the page a consent link opens, with no frame of its own.
UI |= {
    "consent_title": "协商发货 Shipping proposal",
    "link_dead_title": "链接已失效 Link no longer valid",
    "seller_asks_later": "卖家希望延后发货 The seller asks to ship later",
    "seller_remark": "卖家备注 Seller's remark",
    "answer_before": "请在此前回复 Answer by",
    "accepting_sets_ship_by": "接受后，订单的发货时效改为上面的时间。Accepting makes this the "
                              "order's ship-by.",
    "accept": "接受 Accept",
    "accepted": "已接受 Accepted",
    "ship_by_now": "新的发货时效 The ship-by is now %(at)s。",
    "rejected": "已拒绝 Rejected",
    "seller_told": "卖家会收到您的回复。The seller has been told.",
    "link_used": "此链接已完成使命，无法再次使用。This link has done its job and cannot be used "
                 "again.",
    "try_again_title": "请稍后重试 Please try again",
    "try_again_detail": "请刷新页面后重试。Reload the page and try again.",
    "link_dead_heading": "链接已失效 This link is no longer valid",
    "link_dead_detail": "此链接已过期、已使用或无效。如需帮助，请联系卖家。It has expired, has "
                        "been used, or was never valid. Ask the seller if you need help.",
    "consent_footer": "所有时间均为北京时间（%(zone)s，UTC+8）。All times in %(zone)s (UTC+8).",
}

TABLES: dict[str, dict[str, str]] = {
    "order_status": ORDER_STATUS,
    "order_kind": ORDER_KIND,
    "ship_mode": SHIP_MODE,
    "ship_by_source": SHIP_BY_SOURCE,
    "negotiation_state": NEGOTIATION_STATE,
    "card_state": CARD_STATE,
    "card_reason": CARD_REASON,
    "role": ROLE,
    "event_type": EVENT_TYPE,
    "action": ACTION,
    "refusal": REFUSAL,
    "report_kind": REPORT_KIND,
    "report_reason": REPORT_REASON,
    "report_status": REPORT_STATUS,
    "report_action": REPORT_ACTION,
    "violation_kind": VIOLATION_KIND,
    "exempted_by": EXEMPTED_BY,
    "ledger_kind": LEDGER_KIND,
    "extension_cause": EXTENSION_CAUSE,
    "failed_reason": FAILED_REASON,
    "field": FIELD,
    "appeal_state": APPEAL_STATE,
    "appeal_reason": APPEAL_REASON,
    "declaration_state": DECLARATION_STATE,
    "place_kind": PLACE_KIND,
    "confirm": CONFIRM,
    "ui": UI,
}


def label(value: object, table: str) -> str:
    """The bilingual label of ``value`` in ``table``, or the value itself."""
    text = str(value)
    return TABLES[table].get(text, text)


def text(key: str) -> str:
    """An interface sentence of ``UI`` by its name."""
    return UI[key]


def region(code: str) -> str:
    """A declared region as the pages name it: its place's label, else the code itself."""
    found = places.place(code)
    return found.label if found else code


def notice(key: str, **values: object) -> str:
    """What a page says after an action succeeded, filled in with ``values``."""
    return NOTICE[key] % values


def sentence(key: str) -> Markup:
    """``text`` for templates: escaped once here, so a sentence filled in with ``format``
    keeps the markup of what fills it (a ``<time>``) and escapes the rest."""
    return escape(UI[key])


def file_size(size: int) -> str:
    """A byte count as people read it: ``512 B``, ``12.5 KiB``, ``10 MiB``."""
    if size < 1024:
        return f"{size} B"
    scaled, unit = size / 1024, "KiB"
    if scaled >= 1024:
        scaled, unit = scaled / 1024, "MiB"
    return f"{scaled:.1f}".removesuffix(".0") + f" {unit}"


CENT = Decimal("0.01")


def money(amount: Decimal | int | str) -> str:
    """Yuan to the fen, sign first: ``¥10.00``, ``-¥10.00`` (a reversal)."""
    value = Decimal(amount).quantize(CENT)
    return f"-¥{-value}" if value < 0 else f"¥{value}"


def points(value: Decimal | int | str) -> str:
    """Points as few digits as they need: ``0.1``, ``0.2``, ``0``, ``-0.1``."""
    shown = f"{Decimal(value).normalize():f}"
    return "0" if shown in ("-0", "0") else shown
