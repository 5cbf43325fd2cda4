"""The forms of a consent link's page: the buyer's answer, carrying the link itself.

No session, so no session-bound CSRF token: the link's token is the capability, posted
back with the nonce the page was drawn with (``adapters.consent_links``).
"""

from __future__ import annotations

from wtforms import HiddenField

from negotiation.web.forms.common import WebForm
from negotiation.web.forms.negotiation import RejectForm


class LinkForm(WebForm):
    class Meta:
        csrf = False  # the token and its nonce stand in for it

    token = HiddenField()
    nonce = HiddenField()


class AcceptByLinkForm(LinkForm):
    pass


class RejectByLinkForm(LinkForm, RejectForm):
    """The rejection of the order page (note, preferred ship-by), by link."""
