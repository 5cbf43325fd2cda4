"""Where a service's refusal shows on the pages: the one place the web views answer a
:class:`DomainError`.

A view does not catch refusals. Before it calls the service it says where one would show:

- :func:`redraw_on` — the page drawn again with the refusal, beside the form that was
  posted (its field, else above the form) or, with no form, as the page's alert; with
  the refusal's status, the input as typed. What the caller may not see or never do
  (``NotFound``, ``Forbidden``) is not drawn there: it answers the 404/403 page.
- :func:`on_refusal` — anything else, e.g. a flash and a redirect, for every refusal.

The blueprint's ``DomainError`` handler then calls :func:`answer`; with nothing named,
the refusal gets an error page of its own (a bad list cursor, a 404, a 403).

A part of a page that the service may refuse, drawn without it then (a timeline only
some roles read, a preview whose time is refused), is read with :func:`or_none`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import g
from flask.typing import ResponseReturnValue

from negotiation.domain.errors import DomainError, Forbidden, NotFound
from negotiation.status_codes import status_of
from negotiation.web import summary
from negotiation.web.forms.common import WebForm, refusal_message

T = TypeVar("T")
Handler = Callable[[DomainError], ResponseReturnValue | None]
_HANDLER = "web_on_refusal"


def on_refusal(handle: Handler) -> None:
    """Answer a refusal of this request with ``handle`` (None: the error page after all)."""
    setattr(g, _HANDLER, handle)


def redraw_on(draw: Callable[..., tuple[str, int]], form: WebForm | None = None) -> None:
    """Answer a refusal by drawing the page again: ``draw(status=…)`` with the message on
    ``form``, or ``draw(status=…, alert=…)`` when there is no form to show it on."""

    def redraw(error: DomainError) -> tuple[str, int] | None:
        if isinstance(error, NotFound | Forbidden):
            return None
        if form is None:
            alert = refusal_message(error)
            summary.note_alert(alert)
            return draw(status=status_of(error.code), alert=alert)
        form.refuse(error)
        return draw(status=status_of(error.code))

    on_refusal(redraw)


def forget() -> None:
    """Start a request with nothing named (``g`` may outlive a request, e.g. in tests)."""
    g.pop(_HANDLER, None)
    summary.forget()


def answer(error: DomainError) -> ResponseReturnValue | None:
    """What the view named for a refusal, or None. Taken once: a refusal while the page
    is being drawn again gets the error page."""
    handle: Handler | None = g.pop(_HANDLER, None)
    return None if handle is None else handle(error)


def or_none(read: Callable[[], T], *,
            refused_by: type[DomainError] | tuple[type[DomainError], ...] = DomainError,
            shown_on: WebForm | None = None) -> T | None:
    """What ``read`` returns, or None when the service refuses it (with an error of
    ``refused_by``): the page is drawn without that part.

    ``shown_on`` is the form whose input asked for it, which then carries the message
    (and :attr:`WebForm.refused_status`); what the caller may not see or never do is not
    shown there, and still answers the 404/403 page.
    """
    try:
        return read()
    except refused_by as error:
        if shown_on is None:
            return None
        if isinstance(error, NotFound | Forbidden):
            raise
        shown_on.refuse(error)
        return None
