"""The ``web`` blueprint: its request hooks and its error pages.

Error handlers here take precedence over the app's (which answer JSON problems), so a
person using the forms always gets an HTML page.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from negotiation.domain.errors import DomainError, Forbidden, NotFound
from negotiation.runtime import body_limit, runtime
from negotiation.status_codes import status_of as status_of_code
from negotiation.web import confirmation, identity, labels, refusals, rights, timefmt

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static",
               static_url_path="/web/static")
csrf = CSRFProtect()
log = logging.getLogger(__name__)

# Scripts and styles come only from our own static files, forms only post back here, and
# no other site may frame the pages (an invisible "accept" button is a classic trick).
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; form-action 'self'; "
                                "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Same-origin referrers must still be sent: Flask-WTF checks them over HTTPS.
    "Referrer-Policy": "same-origin",
}


def status_of(error: DomainError) -> int:
    """The same table as the API's, so the pages answer the same numbers."""
    return status_of_code(error.code)


@bp.before_request
def forget_refusal_handler() -> None:
    refusals.forget()


@bp.before_request
def load_caller() -> None:
    identity.load()


# Forms that carry a file beside what was typed. A file over the limit must not cost the
# typing: their bodies may be as large as the most evidence a report may carry, and each
# file's size is then checked by the rule the upload applies
# (services.reports.evidence.checked_type), which re-draws the form with its message and
# the input kept. Every other body keeps the app's limit of one file.
FILE_FORMS = frozenset({"web.new_report"})


@bp.before_request
def room_for_files() -> None:
    """Before anything reads the form (the CSRF check does), and only for someone
    signed in: a stranger's post never gets the larger room."""
    if request.endpoint in FILE_FORMS and identity.current_caller() is not None:
        policy = runtime().policy
        request.max_content_length = body_limit(policy, policy.evidence_max_files)


@bp.before_request
def check_csrf() -> None:
    # Only this blueprint's posts are checked. The JSON API authenticates with a bearer
    # header that a browser never adds by itself, so it needs no token (and its clients
    # could not send one); the session cookie that these pages use does need one.
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


@bp.context_processor
def page_rights() -> dict[str, rights.Rights | None]:
    """``rights`` for every template: what its pages may offer the caller's role."""
    return {"rights": rights.rights_of(identity.current_caller())}


@bp.after_request
def add_security_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint != "web.static":
        response.headers.setdefault("Cache-Control", "no-store")  # pages hold order data
    return response


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page links: the same icon, not a 404."""
    return bp.send_static_file("favicon.svg")


def error_page(status: int, title: str, detail: str) -> tuple[str, int]:
    return render_template("error.html", status=status, title=title, detail=detail), status


@bp.errorhandler(CSRFError)
def csrf_refused(error: CSRFError) -> tuple[str, int]:
    """An expired or missing token (a sign-out in another tab, an old page): the post is
    offered again with a fresh token and everything typed kept, never acted on as is."""
    return confirmation.post_again(back=identity.safe_next(request.referrer and urlsplit(
        request.referrer)._replace(scheme="", netloc="").geturl()))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """A body over MAX_CONTENT_LENGTH is refused before its form is read: say why, in
    words, and that nothing was saved (the form is still in the browser's back page)."""
    limit = labels.file_size(runtime().policy.evidence_max_bytes)
    return error_page(413, "文件过大 The file is too large",
                      f"上传的内容超过了允许的大小，未保存任何内容；凭证文件最大 {limit}。"
                      f"请返回上一页，换一个较小的文件后重试。Nothing was saved: the upload is "
                      f"larger than allowed (an evidence file is at most {limit}). Go back "
                      "and try again with a smaller file.")


@bp.errorhandler(DomainError)
def refused(error: DomainError) -> ResponseReturnValue:
    """Every refusal of the pages: where the view said it shows (``web.refusals``: its
    page drawn again with the form, or a flash), else a page of its own, e.g. for what
    the caller may not see or never do, or a bad list cursor."""
    try:
        shown = refusals.answer(error)
    except DomainError as again:  # drawing the page again was refused in turn
        error, shown = again, None
    if shown is not None:
        return shown
    if isinstance(error, NotFound):
        return error_page(404, "未找到 Not found", error.detail)
    if isinstance(error, Forbidden):
        return error_page(403, "无权操作 Not permitted", error.detail)
    return error_page(status_of(error), labels.label(error.code, "refusal"),
                      timefmt.localize_text(error.detail))


@bp.errorhandler(Exception)
def unexpected(error: Exception) -> HTTPException | tuple[str, int]:
    if isinstance(error, HTTPException):
        return error  # Flask's own page for 405 and the like
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_page(500, "出错了 Something went wrong",
                      "服务器出现问题，请稍后重试。The server had a problem; please try again.")
