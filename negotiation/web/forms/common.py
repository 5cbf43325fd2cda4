"""What the forms of every feature share: the messages, the fields and validators that
read what a person types, and the form that carries the service's refusal (drawn where
``web.refusals`` says)."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Any

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields import DateField, DateTimeLocalField
from wtforms.fields.choices import SelectChoice
from wtforms.i18n import get_translations
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from negotiation.clock import EARLIEST_YEAR, LATEST_YEAR
from negotiation.domain.errors import DomainError
from negotiation.status_codes import status_of
from negotiation.web import labels, summary, timefmt

REQUIRED = "必填 Required."
NOT_A_CHOICE = "请从列表中选择 Choose one of the listed options."

# The form library's own messages the project words itself; every other one reads as
# WTForms' Chinese translation with its English beside it (``LibraryMessages``).
_OWN_WORDING = {
    "This field is required.": REQUIRED,
    "Not a valid choice.": NOT_A_CHOICE,
}


class LibraryMessages:
    """The form library's default messages (a validator given no message of its own),
    Chinese first with the English beside, like every other sentence of the pages.

    WTForms asks its form's translations for each default message; its own Chinese
    catalogue keeps the placeholders (``%(max)d``), which WTForms fills in afterwards.
    """

    def gettext(self, english: str) -> str:
        return _OWN_WORDING.get(english) or _beside(_chinese().gettext(english), english)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        english = singular if n == 1 else plural
        return _beside(_chinese().ngettext(singular, plural, n), english)


@cache
def _chinese() -> Any:
    return get_translations(["zh"])


def _beside(chinese: str, english: str) -> str:
    return english if chinese == english else f"{chinese} {english}"


def strip(value: Any) -> Any:
    """A filter: what was typed, without the spaces around it."""
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

    def _value(self) -> str:
        """What was typed, else ``data`` (aware UTC) as Shanghai wall time, as it is read."""
        if self.raw_data:
            return str(self.raw_data[0])
        return timefmt.as_input(self.data)


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

    class Meta:
        def get_translations(self, form: Any) -> LibraryMessages:
            return LIBRARY_MESSAGES

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problems: list[str] = []  # form-level messages, shown above the fields
        self.refused_status: int | None = None  # the status of the refusal it carries

    def validate(self, extra_validators: Any = None) -> bool:
        """WTForms' check; a form read from a submission joins the page's summary, which
        lists its messages if it has any then (``web.summary``)."""
        summary.note_form(self)
        return bool(super().validate(extra_validators))

    def refuse(self, error: DomainError) -> None:
        """Show ``error`` next to the field it names, else above the whole form."""
        summary.note_form(self)
        self.refused_status = status_of(error.code)
        shown = False
        by_name = {field.name: field for field in self}  # a field named unlike its attribute
        named = self.labels_by_api_name()
        for name, detail in error.fields.items():
            field = self._fields.get(name) or by_name.get(name)
            if field is not None and field.name != "csrf_token":
                field.errors = [*field.errors, refusal_message(error, detail, named=named)]
                shown = True
        if not shown:
            self.problems.append(refusal_message(error, named=named))

    def labels_by_api_name(self) -> dict[str, str]:
        """The label a person sees for each name a service may call a field by: its
        attribute (``start``), its input's name (``from``, or ``extension-region`` under a
        prefix) and that name without the prefix (``region``)."""
        shown: dict[str, str] = {}
        for attribute, field in self._fields.items():
            if field.type in _UNLABELLED:
                continue
            for name in (attribute, field.name, field.short_name):
                shown[name] = str(field.label.text)
        return shown


LIBRARY_MESSAGES = LibraryMessages()


# Inputs a person never sees, so never names: a refusal naming one keeps its API name.
_UNLABELLED = {"CSRFTokenField", "HiddenField"}


def refusal_message(error: DomainError, detail: str | None = None, *,
                    named: dict[str, str] | None = None) -> str:
    """The rule's name in both languages, then its detail (or the one a field was given)
    in local time, with the fields it names called by their labels (``in_labels``)."""
    text = error.detail if detail is None else detail
    return (f"{labels.label(error.code, 'refusal')}: "
            f"{in_labels(timefmt.localize_text(text), named or {})}")


def in_labels(detail: str, named: dict[str, str]) -> str:
    """``detail`` with each API field name in it, as a whole word, replaced by the label
    a person sees: the form's own (``named``), else the catalogue's (``labels.FIELD``).

    The domain's messages name fields as the JSON API does (``ends_at must be after
    starts_at.``), which is that API's contract; a person reads the form's words instead.
    A snake_case name is a field's wherever it stands. A plain word (``from``, ``note``,
    ``file``) is also English (``An evidence file is at most…``), so it is read as a name
    only in a message that opens with one of the form's names, the domain's way of saying
    what the message is about (``from is after to.``, ``note is at most…``).
    """
    shown = {**labels.FIELD, **named}
    opening = re.match(r"[\w-]+", detail)
    if opening is None or opening.group(0) not in named:
        shown = {name: label for name, label in shown.items() if "_" in name}
    if not shown:
        return detail
    # Longest first: ``region`` must not take the end of ``extension-region``.
    names = sorted(shown, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")
    return pattern.sub(lambda match: f"“{shown[match.group(1)]}”", detail)


def choices_of(table: dict[str, str], values: Any, blank: str) -> list[SelectChoice]:
    """A blank first option, then one per enum member, labelled from ``table``."""
    return [SelectChoice("", blank)] + [SelectChoice(v.value, table[v.value]) for v in values]
