"""The page a consent link opens (RULES.md §6): one card, for its buyer, without sign-in.

A blueprint of its own rather than a part of ``web``: those pages sign people in and
check a CSRF token tied to the session cookie, and a link's page has neither — its
token is the capability. Every link that does not work gets the same page, with the
same status (404), whatever the reason, so a dead link reveals nothing.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from negotiation.adapters.consent_links import ConsentLinkSigner
from negotiation.domain.consent import ConsentLink, invalid
from negotiation.domain.errors import Conflict, DomainError
from negotiation.runtime import runtime
from negotiation.services.negotiation import consent
from negotiation.web import refusals
from negotiation.web.blueprint import SECURITY_HEADERS, bp
from negotiation.web.forms.common import WebForm, refusal_message
from negotiation.web.forms.consent import AcceptByLinkForm, RejectByLinkForm

consent_bp = Blueprint("consent", __name__, url_prefix="/consent")
TOKEN_LIMIT = 512  # far longer than any token signed here; longer ones are not read
LINK_HEADERS = {
    **SECURITY_HEADERS,
    # The token is in the page's address: no link followed from it may pass that on.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _register_beside_web(state: Any) -> None:
    state.app.register_blueprint(consent_bp)


bp.record_once(_register_beside_web)  # registered with the web pages, by their init_app


def signer() -> ConsentLinkSigner:
    return ConsentLinkSigner(current_app.config["SECRET_KEY"])


@consent_bp.before_request
def forget_refusal_handler() -> None:
    refusals.forget()


@consent_bp.after_request
def add_link_headers(response: Response) -> Response:
    response.headers.update(LINK_HEADERS)
    return response


@consent_bp.errorhandler(DomainError)
def refused(error: DomainError) -> ResponseReturnValue:
    """Input the rules refuse draws the page again with its message; a collision with
    another answer asks for a retry; anything else means the link no longer works."""
    shown = refusals.answer(error)
    if shown is not None:
        return shown
    if isinstance(error, Conflict):
        return render_template("consent.html", alert=refusal_message(error)), 409
    return render_template("consent.html"), 404


# --- the page ---------------------------------------------------------------------------


@consent_bp.get("/<token>")
def page(token: str) -> tuple[str, int]:
    return draw(token)


def draw(token: str, *, reject: WebForm | None = None, alert: str | None = None,
         status: int = 200) -> tuple[str, int]:
    """The card the link opens with its two answers; ``reject`` as posted, if it was."""
    linked = consent.linked_card(runtime().uow(), link_of(token))
    hidden = MultiDict({"token": token, "nonce": signer().page_nonce(token)})
    if reject is None:
        reject = RejectByLinkForm(formdata=hidden)
    else:  # keep what was typed, with a nonce of this drawing
        reject.nonce.data = hidden["nonce"]
    return render_template("consent.html", card=linked.card, now=linked.now,
                           accept=AcceptByLinkForm(formdata=hidden), reject=reject,
                           alert=alert), status


def link_of(token: str) -> ConsentLink | None:
    return signer().read(token) if len(token) <= TOKEN_LIMIT else None


# --- the answers ------------------------------------------------------------------------


@consent_bp.post("/accept")
def accept() -> tuple[str, int]:
    token, link = posted_link()
    refusals.redraw_on(partial(draw, token))
    card = consent.accept_by_link(runtime().uow(), link)
    return render_template("consent.html", answered=card), 200


@consent_bp.post("/reject")
def reject() -> tuple[str, int]:
    token, link = posted_link()
    form = RejectByLinkForm()
    if not form.validate():
        return draw(token, reject=form, status=422)
    refusals.redraw_on(partial(draw, token, reject=form), form)
    card = consent.reject_by_link(runtime().uow(), link, note=form.note.data or None,
                                  preferred_ship_by=form.preferred_ship_by.data)
    return render_template("consent.html", answered=card), 200


def posted_link() -> tuple[str, ConsentLink]:
    """The link a form posted back, from a page that showed it (its nonce), or the
    refusal of every link that does not work: a post made elsewhere learns nothing."""
    token = str(request.form.get("token", ""))
    link = link_of(token)
    if link is None or not signer().nonce_matches(token, str(request.form.get("nonce", ""))):
        raise invalid()
    return token, link
