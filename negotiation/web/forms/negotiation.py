"""A seller's proposal card, and the buyer's rejection of one."""

from __future__ import annotations

from datetime import datetime, timedelta

from wtforms import SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from negotiation.domain.enums import CardReason
from negotiation.services.core.views import ActionView
from negotiation.services.negotiation.cards import TEXT_LIMIT
from negotiation.web import labels, timefmt
from negotiation.web.forms.common import ShanghaiDateTimeField, WebForm


class ProposeForm(WebForm):
    proposed_ship_by = ShanghaiDateTimeField(
        f"提议发货时间 Proposed ship-by ({timefmt.ZONE_NAME})",
        validators=[InputRequired("请选择提议发货时间 Choose the proposed ship-by time.")])
    reason = SelectField(
        "原因 Reason",
        choices=[SelectChoice("", "请选择 Choose…")]
        + [SelectChoice(r.value, labels.CARD_REASON[r.value]) for r in CardReason],
        validators=[InputRequired("请选择原因 Choose a reason.")])
    remark = TextAreaField(
        "给买家的备注 Remark to the buyer",
        validators=[Optional(), Length(max=TEXT_LIMIT, message=(
            f"备注最多 {TEXT_LIMIT} 字 The remark is at most {TEXT_LIMIT} characters."))])


    def bounded_by(self, action: ActionView) -> str | None:
        """Limit the time input to the window ``actions.propose`` announces, and say it.

        The input picks whole minutes and its ``min`` is inclusive, so ``min`` is the first
        whole minute after the (exclusive) earliest time."""
        if action.earliest is None or action.latest is None or action.send_before is None:
            return None
        first = _minute(action.earliest) + timedelta(minutes=1)
        self.proposed_ship_by.render_kw = {"min": timefmt.as_input(first),
                                           "max": timefmt.as_input(_minute(action.latest))}
        return (f"晚于 {timefmt.local(action.earliest)}，不晚于 {timefmt.local(action.latest)}；"
                f"须在 {timefmt.local(action.send_before)} 前发送。"
                f"After {timefmt.local(action.earliest)}, at the latest "
                f"{timefmt.local(action.latest)}; send before "
                f"{timefmt.local(action.send_before)}.")


def _minute(at: datetime) -> datetime:
    return at.replace(second=0, microsecond=0)


class RejectForm(WebForm):
    note = TextAreaField(
        "拒绝说明（可选）Note (optional)",
        validators=[Optional(), Length(max=TEXT_LIMIT, message=(
            f"说明最多 {TEXT_LIMIT} 字 The note is at most {TEXT_LIMIT} characters."))])
    preferred_ship_by = ShanghaiDateTimeField(
        f"希望的发货时间（可选）Preferred ship-by, optional ({timefmt.ZONE_NAME})",
        validators=[Optional()])
