"""Shipping an order."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import InputRequired, Length, Regexp

from negotiation.web.forms.common import REQUIRED, WebForm, strip


class ShipForm(WebForm):
    carrier = StringField("快递公司 Carrier", filters=[strip],
                          validators=[InputRequired(REQUIRED), Length(min=1, max=100)])
    tracking_no = StringField(
        "运单号 Tracking number", filters=[strip],
        validators=[InputRequired(REQUIRED), Length(min=4, max=64),
                    Regexp(r"^[A-Za-z0-9-]+$", message=(
                        "仅限字母、数字和 - Letters, digits and - only."))])
