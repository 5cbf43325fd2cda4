"""Signing in to the pages."""

from __future__ import annotations

from wtforms import PasswordField
from wtforms.validators import InputRequired, Length

from negotiation.web.forms.common import REQUIRED, WebForm


class SignInForm(WebForm):
    token = PasswordField("访问令牌 Access token",
                          validators=[InputRequired(REQUIRED), Length(max=500)])
