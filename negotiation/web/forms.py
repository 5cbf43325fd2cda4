"""The HTML forms: what a person may type, checked before any service is called.

These check only the *shape* of the input (a date that parses, a remark that fits its
column). Whether the action is allowed is the service's answer, attached back to the
form by :meth:`WebForm.refuse` so it shows next to the field that caused it.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.fields import DateTimeLocalField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, Regexp

from negotiation.domain.enums import CardReason
from negotiation.domain.errors import DomainError
from negotiation.services.cards import TEXT_LIMIT
from negotiation.web import labels, timefmt

REQUIRED = "必填 Required."


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class ShanghaiDateTimeField(DateTimeLocalField):
    """A datetime-local input read as Asia/Shanghai wall time; ``data`` is aware UTC.

    Parsing here rather than with WTForms' formats keeps the conversion in one helper
    (``timefmt.parse_local``) and the error message bilingual.
    """

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = None
        if not valuelist or not str(valuelist[0]).strip():
            return
        self.data = timefmt.parse_local(str(valuelist[0]))  # ValueError → field error


class WebForm(FlaskForm):
    """A form that can also carry the service's refusal of what it submitted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problems: list[str] = []  # form-level messages, shown above the fields

    def refuse(self, error: DomainError) -> None:
        """Show ``error`` next to the field it names, else above the whole form."""
        shown = False
        for name, detail in error.fields.items():
            field = self._fields.get(name)
            if field is not None and field.name != "csrf_token":
                message = (refusal_message(error) if detail == error.detail
                           else timefmt.localize_text(detail))
                field.errors = [*field.errors, message]
                shown = True
        if not shown:
            self.problems.append(refusal_message(error))


def refusal_message(error: DomainError) -> str:
    """The rule's name in both languages, then its own detail in local time."""
    return f"{labels.label(error.code, 'refusal')}: {timefmt.localize_text(error.detail)}"


class SignInForm(WebForm):
    token = PasswordField("访问令牌 Access token",
                          validators=[InputRequired(REQUIRED), Length(max=500)])


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


class RejectForm(WebForm):
    note = TextAreaField(
        "拒绝说明（可选）Note (optional)",
        validators=[Optional(), Length(max=TEXT_LIMIT, message=(
            f"说明最多 {TEXT_LIMIT} 字 The note is at most {TEXT_LIMIT} characters."))])
    preferred_ship_by = ShanghaiDateTimeField(
        f"希望的发货时间（可选）Preferred ship-by, optional ({timefmt.ZONE_NAME})",
        validators=[Optional()])


class ShipForm(WebForm):
    carrier = StringField("快递公司 Carrier", filters=[_strip],
                          validators=[InputRequired(REQUIRED), Length(min=1, max=100)])
    tracking_no = StringField(
        "运单号 Tracking number", filters=[_strip],
        validators=[InputRequired(REQUIRED), Length(min=4, max=64),
                    Regexp(r"^[A-Za-z0-9-]+$", message=(
                        "仅限字母、数字和 - Letters, digits and - only."))])
