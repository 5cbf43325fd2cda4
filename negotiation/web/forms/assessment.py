"""Assessment: the shipping preview, the ledger's range, and reviewers' regional
exemptions and extensions."""

from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from negotiation.domain import places
from negotiation.domain.declarations import DeclarationState
from negotiation.domain.enums import ExtensionCause, ViolationKind
from negotiation.services.assessment.regions import NOTE_LIMIT
from negotiation.web import labels, timefmt
from negotiation.web.forms.common import (
    REQUIRED,
    CheckboxesField,
    ChoiceField,
    CountField,
    LocalDateField,
    ShanghaiDateTimeField,
    WebForm,
    at_least_one,
    choices_of,
    strip,
    within_supported_years,
)


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

    store_id = StringField("店铺编号 Store id", filters=[strip], validators=[
        InputRequired("请输入店铺编号 Enter a store id."),
        Regexp(r"^[1-9][0-9]{0,8}$", message="店铺编号为正整数 A store id is a positive number.")])


def region_choices(blank: str) -> list[SelectChoice]:
    """The places, grouped by province-level place (itself first, then its cities), each
    drawn Chinese name first with its code as the value the services take."""
    return [SelectChoice("", blank)] + [
        SelectChoice(p.code, p.label, optgroup=first.label)
        for first, cities in places.grouped() for p in (first, *cities)]


def _region_field() -> ChoiceField:
    return ChoiceField("地区 Region", choices=region_choices("请选择地区 Choose a region…"),
                       validators=[InputRequired(REQUIRED)])


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
        "原因 Cause", choices=choices_of(labels.EXTENSION_CAUSE, ExtensionCause, "请选择 Choose…"),
        validators=[InputRequired("请选择原因 Choose a cause.")])
    suspended_carriers = CountField(
        "停运快递数（快递停运时填写）Suspended carriers (for a carrier suspension)",
        validators=[Optional(), NumberRange(min=0, max=1000, message=(
            "请输入 0–1000 的整数 Enter a number from 0 to 1000."))])
    starts_at = _window_field("原始发货时效从 Original ship-by from")
    ends_at = _window_field("原始发货时效至（不含）Original ship-by before")


class DeclarationFilterForm(WebForm):
    """Which exemptions and extensions the list shows: a GET form, named as the API's
    query (``region``, ``state``), so a filtered list can be bookmarked."""

    class Meta:
        csrf = False

    # Ids of their own: the declaration forms on the same page have a ``region`` too.
    region = ChoiceField("地区 Region", choices=region_choices("全部地区 All regions"),
                         validators=[Optional()], id="filter-region")
    state = ChoiceField("状态 State", choices=choices_of(
        labels.DECLARATION_STATE, DeclarationState, "全部 All"), validators=[Optional()],
        id="filter-state")
