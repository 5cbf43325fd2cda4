"""Signing in with an API key (or the admin token), and signing out."""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for

from negotiation.domain.enums import Role
from negotiation.runtime import runtime
from negotiation.services.accounts import accounts
from negotiation.web import identity, labels
from negotiation.web.blueprint import bp
from negotiation.web.forms.accounts import SignInForm

BAD_TOKEN = "令牌无效 This token is not valid."


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    next_page = identity.safe_next(request.args.get("next"))
    if request.method == "GET" and identity.current_caller() is not None:
        return redirect(next_page)
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("sign_in.html", form=form, next=next_page), (
            422 if form.is_submitted() else 200)
    credential = accounts.identify(runtime().autocommit_uow(), form.token.data.strip(),
                                   current_app.config.get("ADMIN_TOKEN"))
    if credential is None:
        form.token.errors = [*form.token.errors, BAD_TOKEN]
        return render_template("sign_in.html", form=form, next=next_page), 422
    identity.remember(credential)
    flash(labels.notice("signed_in"), "success")
    if next_page == url_for("web.orders") and credential.caller.role is Role.REVIEWER:
        next_page = url_for("web.report_list")  # a reviewer's work starts at the queue
    return redirect(next_page)


@bp.post("/sign-out")
def sign_out() -> Any:
    identity.forget()
    flash(labels.notice("signed_out"), "success")
    return redirect(url_for("web.sign_in"))
