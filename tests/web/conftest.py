"""A browser for the web pages: a test client that reads forms the way a person would.

Posts take their CSRF token from the page that shows the form, and ``submit`` fails
when that page does not draw the form at all, so a test cannot press a hidden button.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from tests.conftest import Actor

_FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.DOTALL)
_CSRF_INPUT = re.compile(r'<input\b[^>]*name="csrf_token"[^>]*>')
_VALUE = re.compile(r'value="([^"]*)"')


def text(response: Any) -> str:
    """The page as a person reads it: no tags, entities decoded, spaces collapsed."""
    visible = re.sub(r"<[^>]+>", " ", markup(response))
    return re.sub(r"\s+", " ", visible)


def markup(response: Any) -> str:
    """The page's HTML with entities decoded, to look for links and form controls."""
    return html.unescape(response.get_data(as_text=True))


def forms(page: str) -> dict[str, str]:
    """Each form of ``page`` by its action."""
    found = {}
    for form in _FORM.findall(page):
        action = re.search(r'action="([^"]*)"', form)
        if action:
            found[html.unescape(action.group(1))] = form
    return found


def csrf_token_in(fragment: str) -> str:
    tag = _CSRF_INPUT.search(fragment)
    assert tag, "no csrf_token field"
    value = _VALUE.search(tag.group(0))
    assert value and value.group(1), "empty csrf_token"
    return value.group(1)


_HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')


@dataclass
class Browser:
    """``submit`` and ``post_anyway`` answer "yes" when the page asks to confirm, as the
    person who pressed the button would; ``post_unconfirmed`` does not."""

    client: Any

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def submit(self, page: str, action: str, data: dict[str, str] | None = None,
               files: dict[str, tuple[bytes, str]] | None = None) -> Any:
        """Fill in and post the form with ``action`` that ``page`` draws.

        ``files`` maps a file input's name to (content, filename); the form must then be
        one a browser would send files with (multipart, with that file input).
        """
        shown = self.get(page)
        assert shown.status_code == 200, shown.status_code
        form = forms(shown.get_data(as_text=True)).get(action)
        assert form is not None, f"{page} draws no form posting to {action}"
        assert "disabled" not in form, f"the form posting to {action} is disabled"
        body: dict[str, Any] = {"csrf_token": csrf_token_in(form), **(data or {})}
        if files is None:
            return self.confirm(self.client.post(action, data=body))
        assert 'enctype="multipart/form-data"' in form, f"{action} would not send files"
        for name, (content, filename) in files.items():
            inputs = re.findall(rf'<input\b[^>]*\bname="{name}"[^>]*>', form)
            assert any('type="file"' in tag for tag in inputs), \
                f"the form posting to {action} has no file input {name!r}"
            body[name] = FileStorage(io.BytesIO(content), filename=filename)
        # Encoded here in memory: the test client spools a large body to a temporary file
        # that it never closes (an unraisable ResourceWarning, an error in this suite).
        boundary, encoded = encode_multipart(body)
        return self.client.post(action, data=encoded,
                                content_type=f"multipart/form-data; boundary={boundary}")

    def post_anyway(self, action: str, data: dict[str, str] | None = None,
                    page: str = "/") -> Any:
        """Post as a stale tab or a crafted request would: valid token, no visible form."""
        return self.confirm(self.post_unconfirmed(action, data, page))

    def post_unconfirmed(self, action: str, data: dict[str, str] | None = None,
                         page: str = "/") -> Any:
        """Post as a browser without JavaScript does: a page asking to confirm comes back."""
        token = csrf_token_in(self.get(page).get_data(as_text=True))
        return self.client.post(action, data={"csrf_token": token, **(data or {})})

    def confirm(self, response: Any) -> Any:
        """Press "yes" on the confirmation page ``response`` is, if it is one."""
        page = response.get_data(as_text=True)
        if response.status_code != 200 or 'name="confirmed"' not in page:
            return response
        [form] = [f for f in _FORM.findall(page) if "data-repost" in f]
        action = html.unescape(re.search(r'action="([^"]*)"', form).group(1))
        kept = [(html.unescape(n), html.unescape(v)) for n, v in _HIDDEN.findall(form)]
        return self.client.post(action, data=MultiDict(kept))

    def sign_in(self, token: str, next_page: str | None = None) -> Any:
        query = {"next": next_page} if next_page else {}
        page = self.get("/sign-in", query_string=query).get_data(as_text=True)
        action, form = next((a, f) for a, f in forms(page).items() if a.startswith("/sign-in"))
        return self.client.post(action, data={"token": token, "csrf_token": csrf_token_in(form)})


@pytest.fixture
def browser(app: Any) -> Callable[..., Browser]:
    """``browser(actor)``: a fresh browser, signed in as ``actor`` (or a token, or nobody)."""

    def open_browser(who: Actor | str | None = None) -> Browser:
        b = Browser(app.test_client())
        if who is not None:
            signed = b.sign_in(who.token if isinstance(who, Actor) else who)
            assert signed.status_code == 302, text(signed)
        return b

    return open_browser
