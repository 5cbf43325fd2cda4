"""Delay reports (RULES.md §3): filing one, adding evidence, reviewing, and the list's
filters."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from negotiation.domain import reporting
from negotiation.domain.enums import ReportKind, ReportReason, ReportStatus
from negotiation.domain.identifiers import ORDER_NO_PATTERN, TRACKING_NO_PATTERN
from negotiation.web import labels, timefmt
from negotiation.web.forms.common import (
    ChoiceField,
    LocalDateField,
    NumberListField,
    ShanghaiDateTimeField,
    WebForm,
    choices_of,
    strip,
)

REPORT_TEXT_LIMIT = reporting.TEXT_LIMIT


def _text_limit(what: str, what_en: str) -> Length:
    return Length(max=REPORT_TEXT_LIMIT, message=(
        f"{what}最多 {REPORT_TEXT_LIMIT} 字 The {what_en} is at most {REPORT_TEXT_LIMIT} "
        "characters."))


class ReportForm(WebForm):
    """A delay report. One form for the three kinds: the kind decides which of the
    number lists, window and latest times apply, and the service says so when one is
    missing or does not belong (RULES.md §3)."""

    kind = ChoiceField("报备类型 Kind of report",
                       choices=choices_of(labels.REPORT_KIND, ReportKind, "请选择 Choose…"),
                       validators=[InputRequired("请选择报备类型 Choose the kind of report.")])
    reason = ChoiceField("报备原因 Reason",
                         choices=choices_of(labels.REPORT_REASON, ReportReason, "请选择 Choose…"),
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
    # Both decisions share the report page: the inputs keep the name ``note`` but not
    # the id, so each label focuses its own box.
    note = TextAreaField("审核备注（可选）Note (optional)", id="approve-note",
                         validators=[Optional(), _text_limit("备注", "note")])


class RejectReportForm(WebForm):
    note = TextAreaField(
        "驳回理由 Reason for rejecting (shown to the store)", id="reject-note",
        validators=[InputRequired("请填写驳回理由 Tell the store why it is rejected."),
                    _text_limit("理由", "note")])


class ReportFilterForm(WebForm):
    """The report list's filters: a GET form, so it is bookmarkable and needs no token."""

    class Meta:
        csrf = False

    status = ChoiceField("状态 Status",
                         choices=choices_of(labels.REPORT_STATUS, ReportStatus, "全部 Any"),
                         validators=[Optional()])
    kind = ChoiceField("类型 Kind", choices=choices_of(labels.REPORT_KIND, ReportKind, "全部 Any"),
                       validators=[Optional()])
    reason = ChoiceField("原因 Reason",
                         choices=choices_of(labels.REPORT_REASON, ReportReason, "全部 Any"),
                         validators=[Optional()])
    order_no = StringField("订单号 Order number", filters=[strip], validators=[
        Optional(), Regexp(f"^{ORDER_NO_PATTERN}$", message=(
            "订单号格式不正确 Not a valid order number."))])
    submitted_from = LocalDateField("提交日期从 Submitted from", validators=[Optional()])
    submitted_to = LocalDateField("提交日期至（含）Submitted to (inclusive)",
                                  validators=[Optional()])
