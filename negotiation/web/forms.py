"""The HTML forms: what a person may type, checked before any service is called.

These check only the *shape* of the input (a date that parses, a remark that fits its
column). Whether the action is allowed is the service's answer, attached back to the
form by :meth:`WebForm.refuse` so it shows next to the field that caused it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import DateField, DateTimeLocalField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from negotiation.clock import EARLIEST_YEAR, LATEST_YEAR
from negotiation.domain import reporting
from negotiation.domain.enums import (
    CardReason,
    ExtensionCause,
    ReportKind,
    ReportReason,
    ReportStatus,
    ViolationKind,
)
from negotiation.domain.errors import DomainError, Forbidden, NotFound
from negotiation.domain.identifiers import (
    ORDER_NO_PATTERN,
    PLAIN_TEXT_PATTERN,
    TRACKING_NO_PATTERN,
)
from negotiation.services.assessment.regions import NOTE_LIMIT
from negotiation.services.negotiation.cards import TEXT_LIMIT
from negotiation.status_codes import status_of
from negotiation.web import labels, timefmt

REQUIRED = "必填 Required."
NOT_A_CHOICE = "请从列表中选择 Choose one of the listed options."
REPORT_TEXT_LIMIT = reporting.TEXT_LIMIT


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
        try:
            self.data = timefmt.parse_local(str(valuelist[0]))  # ValueError → field error
        except OverflowError:  # e.g. year 1 in Shanghai is before the first UTC instant
            raise ValueError(timefmt.INVALID_INPUT) from None


class LocalDateField(DateField):
    """A calendar day (``<input type="date">``), with a bilingual message when unreadable."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("请输入有效的日期 Enter a valid date (YYYY-MM-DD).") from None


class ChoiceField(SelectField):
    """A select whose "not one of the options" message is bilingual."""

    def pre_validate(self, form: Any) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(NOT_A_CHOICE) from None


# What may be typed into a list of numbers: one a line, or separated by commas, semicolons
# or spaces (half- or full-width, as Chinese keyboards type them).
_LIST_SEPARATORS = re.compile(r"[\s,，;；、]+")


class NumberListField(TextAreaField):
    """Order or tracking numbers, one a line or comma separated; ``data`` is the list,
    or None when nothing was typed. What was typed is shown back as typed."""

    def __init__(self, *args: Any, pattern: str, what: tuple[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pattern = re.compile(pattern)
        self.what = what  # (Chinese, English) name of one item

    def process_formdata(self, valuelist: list[Any]) -> None:
        typed = str(valuelist[0]) if valuelist else ""
        self.data = [item for item in _LIST_SEPARATORS.split(typed) if item] or None

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "\n".join(self.data or [])

    def pre_validate(self, form: Any) -> None:
        bad = [item for item in self.data or [] if not self.pattern.fullmatch(item)]
        if bad:
            shown = ", ".join(bad[:5]) + (" …" if len(bad) > 5 else "")
            raise ValidationError(f"{self.what[0]}格式不正确 Not a valid {self.what[1]}: {shown}")


def within_supported_years(form: Any, field: Any) -> None:
    """For a date or an instant: the services do arithmetic on it that must not overflow."""
    if field.data is not None and not EARLIEST_YEAR <= field.data.year <= LATEST_YEAR:
        raise ValidationError(f"请输入 {EARLIEST_YEAR}–{LATEST_YEAR} 年之间的时间 Enter a time "
                              f"between the years {EARLIEST_YEAR} and {LATEST_YEAR}.")


class CountField(IntegerField):
    """A whole number, with a bilingual message when it is not one."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:  # when left blank, Optional() drops the message again
            raise ValueError("请输入整数 Enter a whole number.") from None


class CheckboxesField(SelectMultipleField):
    """Several choices as checkboxes; ``data`` is the list of checked values."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(NOT_A_CHOICE) from None


def at_least_one(message: str) -> Callable[[Any, Any], None]:
    """Like InputRequired for a checkbox list, without marking every box ``required``
    (a browser would then insist on all of them)."""

    def check(form: Any, field: Any) -> None:
        if not field.data:
            raise ValidationError(message)

    return check


class WebForm(FlaskForm):
    """A form that can also carry the service's refusal of what it submitted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problems: list[str] = []  # form-level messages, shown above the fields

    def refuse(self, error: DomainError) -> None:
        """Show ``error`` next to the field it names, else above the whole form."""
        shown = False
        by_name = {field.name: field for field in self}  # a field named unlike its attribute
        for name, detail in error.fields.items():
            field = self._fields.get(name) or by_name.get(name)
            if field is not None and field.name != "csrf_token":
                field.errors = [*field.errors, refusal_message(error, detail)]
                shown = True
        if not shown:
            self.problems.append(refusal_message(error))


def redraw_refused(draw: Callable[..., tuple[str, int]], error: DomainError,
                   form: WebForm | None = None,
                   form_name: str | None = None) -> tuple[str, int]:
    """Draw the page again with the refusal (beside the form that caused it, else above
    the page); what the caller may not see or never do goes to 404/403 instead."""
    if isinstance(error, NotFound | Forbidden):
        raise error
    alert = None
    if form is None:
        alert = refusal_message(error)
    else:
        form.refuse(error)
    return draw(submitted=form, submitted_as=form_name, alert=alert,
                status=status_of(error.code))


def refusal_message(error: DomainError, detail: str | None = None) -> str:
    """The rule's name in both languages, then its detail (or the one a field was given)
    in local time."""
    text = error.detail if detail is None else detail
    return f"{labels.label(error.code, 'refusal')}: {timefmt.localize_text(text)}"


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


# --- delay reports ---------------------------------------------------------------------

def _choices(table: dict[str, str], values: Any, blank: str) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [SelectChoice(v.value, table[v.value]) for v in values]


def _text_limit(what: str, what_en: str) -> Length:
    return Length(max=REPORT_TEXT_LIMIT, message=(
        f"{what}最多 {REPORT_TEXT_LIMIT} 字 The {what_en} is at most {REPORT_TEXT_LIMIT} "
        "characters."))


class ReportForm(WebForm):
    """A delay report. One form for the three kinds: the kind decides which of the
    number lists, window and latest times apply, and the service says so when one is
    missing or does not belong (RULES.md §3)."""

    kind = ChoiceField("报备类型 Kind of report",
                       choices=_choices(labels.REPORT_KIND, ReportKind, "请选择 Choose…"),
                       validators=[InputRequired("请选择报备类型 Choose the kind of report.")])
    reason = ChoiceField("报备原因 Reason",
                         choices=_choices(labels.REPORT_REASON, ReportReason, "请选择 Choose…"),
                         validators=[InputRequired("请选择报备原因 Choose a reason.")])
    order_nos = NumberListField("订单号 Order numbers", pattern=ORDER_NO_PATTERN,
                                what=("订单号", "order number"))
    tracking_nos = NumberListField("运单号 Tracking numbers", pattern=TRACKING_NO_PATTERN,
                                   what=("运单号", "tracking number"))
    window_start = ShanghaiDateTimeField(f"报备时段开始 Window start ({timefmt.ZONE_NAME})",
                                         validators=[Optional()])
    window_end = ShanghaiDateTimeField(f"报备时段结束 Window end ({timefmt.ZONE_NAME})",
                                       validators=[Optional()])
    latest_ship_at = ShanghaiDateTimeField(
        f"最晚发货时间 Latest ship time ({timefmt.ZONE_NAME})", validators=[Optional()])
    latest_collect_at = ShanghaiDateTimeField(
        f"最晚揽收时间 Latest collection time ({timefmt.ZONE_NAME})", validators=[Optional()])
    description = TextAreaField(
        "情况说明 Description",
        validators=[InputRequired("请说明情况 Describe what happened."),
                    _text_limit("说明", "description")])
    file = FileField("凭证文件（可选）Evidence file (optional)")


class EvidenceForm(WebForm):
    file = FileField("凭证文件 Evidence file",
                     validators=[FileRequired("请选择文件 Choose a file.")])


class ApproveReportForm(WebForm):
    note = TextAreaField("审核备注（可选）Note (optional)",
                         validators=[Optional(), _text_limit("备注", "note")])


class RejectReportForm(WebForm):
    note = TextAreaField(
        "驳回理由 Reason for rejecting (shown to the store)",
        validators=[InputRequired("请填写驳回理由 Tell the store why it is rejected."),
                    _text_limit("理由", "note")])


class ReportFilterForm(WebForm):
    """The report list's filters: a GET form, so it is bookmarkable and needs no token."""

    class Meta:
        csrf = False

    status = ChoiceField("状态 Status",
                         choices=_choices(labels.REPORT_STATUS, ReportStatus, "全部 Any"),
                         validators=[Optional()])
    kind = ChoiceField("类型 Kind", choices=_choices(labels.REPORT_KIND, ReportKind, "全部 Any"),
                       validators=[Optional()])
    reason = ChoiceField("原因 Reason",
                         choices=_choices(labels.REPORT_REASON, ReportReason, "全部 Any"),
                         validators=[Optional()])
    order_no = StringField("订单号 Order number", filters=[_strip], validators=[
        Optional(), Regexp(f"^{ORDER_NO_PATTERN}$", message=(
            "订单号格式不正确 Not a valid order number."))])
    submitted_from = LocalDateField("提交日期从 Submitted from", validators=[Optional()])
    submitted_to = LocalDateField("提交日期至（含）Submitted to (inclusive)",
                                  validators=[Optional()])


# --- assessment: previews, the ledger, regional decisions ------------------------------


class PreviewForm(WebForm):
    """"What would shipping at this time cost?" on the order page: a GET form that
    records nothing, so it needs no token and its answer can be bookmarked."""

    class Meta:
        csrf = False

    ship_at = ShanghaiDateTimeField(f"假如在此时发货 Ship at ({timefmt.ZONE_NAME})",
                                    validators=[Optional(), within_supported_years])


class LedgerFilterForm(WebForm):
    """The ledger's date range, named ``from`` and ``to`` in the query like the API's."""

    class Meta:
        csrf = False

    start = LocalDateField("日期从 From", name="from",
                           validators=[Optional(), within_supported_years])
    end = LocalDateField("日期至（含）To (inclusive)", name="to",
                         validators=[Optional(), within_supported_years])


class StoreChoiceForm(WebForm):
    """A reviewer names the store whose ledger to read."""

    class Meta:
        csrf = False

    store_id = StringField("店铺编号 Store id", filters=[_strip], validators=[
        InputRequired("请输入店铺编号 Enter a store id."),
        Regexp(r"^[1-9][0-9]{0,8}$", message="店铺编号为正整数 A store id is a positive number.")])


def _region_field() -> StringField:
    return StringField("地区 Region", filters=[_strip], validators=[
        InputRequired(REQUIRED), Length(max=100, message=(
            "地区最多 100 字 The region is at most 100 characters.")),
        Regexp(PLAIN_TEXT_PATTERN, message="含有不允许的字符 Contains characters "
                                               "that are not allowed.")])


def _window_field(label: str) -> ShanghaiDateTimeField:
    return ShanghaiDateTimeField(f"{label} ({timefmt.ZONE_NAME})",
                                 validators=[InputRequired(REQUIRED), within_supported_years])


class ExemptionForm(WebForm):
    """A regional exemption (seed 001): the window is on the violations' due times."""

    region = _region_field()
    starts_at = _window_field("豁免时段开始 Window starts at")
    ends_at = _window_field("豁免时段结束（不含）Window ends before")
    kinds = CheckboxesField(
        "豁免的违规 Violations waived",
        choices=[SelectChoice(k.value, labels.VIOLATION_KIND[k.value]) for k in ViolationKind],
        validators=[at_least_one("请至少选择一种违规 Choose at least one kind of violation.")])
    note = TextAreaField("备注（可选）Note (optional)", validators=[
        Optional(), Length(max=NOTE_LIMIT, message=(
            f"备注最多 {NOTE_LIMIT} 字 The note is at most {NOTE_LIMIT} characters."))])


class ExtensionForm(WebForm):
    """A regional extension (seed 001): +14 days for the orders whose original deadline
    falls in the window. Drawn beside the exemption form, so its inputs are prefixed."""

    region = _region_field()
    cause = ChoiceField(
        "原因 Cause", choices=_choices(labels.EXTENSION_CAUSE, ExtensionCause, "请选择 Choose…"),
        validators=[InputRequired("请选择原因 Choose a cause.")])
    suspended_carriers = CountField(
        "停运快递数（快递停运时填写）Suspended carriers (for a carrier suspension)",
        validators=[Optional(), NumberRange(min=0, max=1000, message=(
            "请输入 0–1000 的整数 Enter a number from 0 to 1000."))])
    starts_at = _window_field("原始发货时效从 Original ship-by from")
    ends_at = _window_field("原始发货时效至（不含）Original ship-by before")
