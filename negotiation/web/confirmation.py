"""Asking before an action that cannot be undone, and posting a form again as it was.

One mechanism for every such action (withdrawing or accepting a card, shipping,
approving, rejecting or withdrawing a report, ending a regional exemption or
extension). Its button carries ``data-confirm`` with
the question (``labels.CONFIRM``); web.js asks it and adds ``confirmed=yes`` to the post.
Without JavaScript the post arrives unconfirmed and :func:`confirm_first` answers a page
that asks the same question, with what was typed kept in hidden inputs and a "yes"
button that posts it again, confirmed. The view calls it after checking the input (a
mistyped form is shown again first) and before the service acts.

The same page posts a form again after its CSRF token was refused (:func:`post_again`),
so an expired form loses nothing typed but its files.
"""

from __future__ import annotations

from flask import render_template, request
from markupsafe import Markup, escape

from negotiation.web import labels

CONFIRMED = "confirmed"
# A credential typed into the sign-in form is never written back into a page.
_NOT_KEPT = {"csrf_token", CONFIRMED, "token"}


def confirm_first(question: str, back: str) -> tuple[str, int] | None:
    """None when the post is confirmed; else the page asking ``labels.CONFIRM[question]``,
    whose "no" goes to ``back``."""
    if request.form.get(CONFIRMED) == "yes":
        return None
    return _repost_page(title=labels.text("confirm_title"), question=labels.CONFIRM[question],
                        yes=labels.text("confirm_yes"), back=back, confirm=True), 200


def post_again(back: str) -> tuple[str, int]:
    """The post refused for its CSRF token, as a page that sends it again with a new one."""
    return _repost_page(title=labels.text("resubmit_title"),
                        question=labels.text("resubmit_detail"),
                        yes=labels.text("resubmit_yes"), back=back, confirm=False), 400


def confirm_attribute(question: str) -> Markup:
    """``data-confirm="…"`` for a button, from the same question as the page."""
    return Markup(f' data-confirm="{escape(labels.CONFIRM[question])}"')


def _repost_page(*, title: str, question: str, yes: str, back: str,
                 confirm: bool) -> str:
    kept = [(name, value) for name, value in request.form.items(multi=True)
            if name not in _NOT_KEPT]
    return render_template("repost.html", title=title, question=question, yes=yes,
                           back=back, kept=kept, action=request.full_path.rstrip("?"),
                           confirm=confirm, had_files=bool(request.files))
