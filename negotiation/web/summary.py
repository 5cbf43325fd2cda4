"""The one summary of a refused submission: every message of the forms refused on this
request, and the page's own alert, drawn first in ``<main>`` by base.html.

Why one summary above the page: a refused form's messages sit beside its fields, which
on a long page (or a phone) are far below where the page opens again; a person who sees
the top of an unchanged page thinks nothing happened. The summary is the first thing in
``<main>``, takes the focus (``autofocus`` on a ``tabindex="-1"`` block, so it works
without JavaScript; web.js scrolls it into view too), and links each message to its field.

Forms join it by themselves: :class:`~negotiation.web.forms.common.WebForm` notes itself
here when it is validated or refused, and the summary lists those left with messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import g

_FORMS = "web_summary_forms"
_ALERTS = "web_summary_alerts"


@dataclass(frozen=True)
class Message:
    text: str
    label: str | None = None  # the field's label, as the page shows it
    target: str | None = None  # the id of the field the message belongs to


def note_form(form: Any) -> None:
    """``form`` was read from a submission: its messages, if any, join the summary."""
    noted: list[Any] = g.setdefault(_FORMS, [])
    if not any(form is seen for seen in noted):
        noted.append(form)


def note_alert(text: str) -> None:
    """A refusal with no form to show it on: the summary says it."""
    alerts: list[str] = g.setdefault(_ALERTS, [])
    if text not in alerts:
        alerts.append(text)


def messages() -> list[Message]:
    """What the summary lists: alerts, then each noted form's own and fields' messages."""
    shown = [Message(text) for text in g.get(_ALERTS, [])]
    for form in g.get(_FORMS, []):
        shown += [Message(text) for text in getattr(form, "problems", [])]
        for field in form:
            if field.name == "csrf_token":
                continue
            shown += [Message(str(text), str(field.label.text), field.id)
                      for text in field.errors if isinstance(text, str)]
    return shown


def forget() -> None:
    """Start a request with an empty summary (``g`` may outlive a request, e.g. in tests)."""
    g.pop(_FORMS, None)
    g.pop(_ALERTS, None)
