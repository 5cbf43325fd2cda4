"""The appeal forms: filing one, and a reviewer's decision."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from negotiation.domain.enums import AppealReason
from negotiation.domain.reporting import TEXT_LIMIT
from negotiation.web import labels
from negotiation.web.forms.common import ChoiceField, WebForm, choices_of

LIMIT = f"最多 {TEXT_LIMIT} 字 At most {TEXT_LIMIT} characters."


class AppealForm(WebForm):
    reason = ChoiceField("申诉理由 Reason",
                         choices=choices_of(labels.APPEAL_REASON, AppealReason, "请选择 Choose"),
                         validators=[InputRequired("请选择理由 Choose a reason.")])
    description = TextAreaField("申诉说明 Description", validators=[
        InputRequired("请说明理由 Describe why the violation should not stand."),
        Length(max=TEXT_LIMIT, message=LIMIT)])
    file = FileField("凭证文件（可选）Evidence file (optional)")


class DecideAppealForm(WebForm):
    note = TextAreaField("审核备注（可选）Note (optional)",
                         validators=[Optional(), Length(max=TEXT_LIMIT, message=LIMIT)])
