"""Server-rendered forms for sellers, buyers and reviewers, at the site root beside /api/.

The pages call the same service functions as the JSON API and draw their buttons from
the same ``actions``; they add only sign-in, CSRF protection and presentation.
"""

from __future__ import annotations

from flask import Flask

from negotiation.web import confirmation, identity, labels, people, summary, timefmt
from negotiation.web.blueprint import bp, csrf


def init_app(app: Flask) -> None:
    # Flask-WTF would otherwise check CSRF on every POST of the app, the JSON API's too;
    # the blueprint checks its own posts instead (see blueprint.check_csrf).
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    # A buyer may keep the page open for the whole answer window before clicking; the
    # token is tied to the browser session, which ends with the browser or a sign-out.
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:  # Flask's default is None
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"  # a second fence beside the token
    csrf.init_app(app)

    from negotiation.web import (  # noqa: F401  (their routes join ``bp``)
        appeal_pages,
        assessment_pages,
        auth,
        consent_pages,
        inbox_pages,
        report_pages,
        views,
    )

    app.add_template_filter(timefmt.local, "local")
    app.add_template_filter(timefmt.as_input, "as_input")
    app.add_template_filter(timefmt.localize_text, "localize")
    app.add_template_filter(labels.label, "label")
    app.add_template_filter(timefmt.waited, "waited")
    app.add_template_filter(labels.file_size, "file_size")
    app.add_template_filter(labels.money, "money")
    app.add_template_filter(labels.points, "points")
    app.add_template_filter(labels.sentence, "text")
    app.add_template_global(summary.messages, "form_messages")
    app.add_template_global(timefmt.remaining, "remaining")
    app.add_template_global(timefmt.ZONE_NAME, "zone_name")
    app.add_template_global(identity.current_caller, "current_caller")
    app.add_template_global(confirmation.confirm_attribute, "confirm")
    app.add_template_global(people.person, "person")
    app.register_blueprint(bp)
