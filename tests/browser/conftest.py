"""The pages in a real browser: Debian's Chromium driven by Playwright, against the app
served by a real HTTP server in a thread over the test's fresh SQLite file.

Fixtures for any flow: ``live_server`` (the base URL), ``viewport`` (each test runs at
1280 and at 375 px wide), ``open_page(actor)`` (a browser tab of its own, signed in as
``actor``), and the two checks every page must pass, :func:`assert_no_overflow` and
:func:`assert_in_view`. A failing test saves a screenshot of each of its tabs under
``tests/browser/failures/`` (CI keeps that directory). With ``NEGOTIATION_SCREENSHOTS``
set to a directory, :func:`shoot` saves the pages docs/web.md shows there.

Only Debian's ``/usr/bin/chromium`` is used, never a downloaded browser; without it the
tests are skipped, except in CI (``CI`` set), where its absence is a failure.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.conftest import Actor

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORTS = {"desktop": 1280, "phone": 375}
FAILURES = Path(__file__).parent / "failures"
SCREENSHOTS = os.environ.get("NEGOTIATION_SCREENSHOTS")

if not CHROMIUM.exists() and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed at /usr/bin/chromium", allow_module_level=True)

from playwright.sync_api import Browser, Page, sync_playwright  # noqa: E402


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: Any) -> Iterator[None]:
    """Keep each phase's outcome on the test, for the screenshot on failure."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    """The app over real HTTP on a free port of 127.0.0.1; the base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def open_page(chromium: Browser, live_server: str, viewport: str,
              request: pytest.FixtureRequest) -> Iterator[Callable[[Actor | None], Page]]:
    """``open_page(actor)``: a tab of its own (its own cookies) at this test's width,
    signed in as ``actor`` (or nobody). Window confirmations are answered "yes"."""
    contexts: list[Any] = []
    pages: list[Page] = []

    def open_tab(actor: Actor | None = None) -> Page:
        context = chromium.new_context(
            viewport={"width": VIEWPORTS[viewport], "height": 800}, base_url=live_server,
            locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        pages.append(page)
        if actor is not None:
            sign_in(page, actor)
        return page

    yield open_tab
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        FAILURES.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for number, page in enumerate(pages):
            page.screenshot(path=str(FAILURES / f"{name}-{number}.png"), full_page=True)
    for context in contexts:
        context.close()


def sign_in(page: Page, actor: Actor) -> None:
    page.goto("/sign-in")
    page.fill("input[name=token]", actor.token)
    page.click("form button[type=submit]")
    page.wait_for_load_state()
    assert "/sign-in" not in page.url, page.inner_text("main")


def press(page: Page, selector: str) -> None:
    """Click a button that submits its form and wait for the page the server answers
    (after a confirmation dialog, too)."""
    with page.expect_navigation():
        page.click(selector)


def assert_no_overflow(page: Page) -> None:
    """Nothing on the page is wider than the window: no sideways scrolling."""
    width, inner = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{page.url} is {width} px wide in a {inner} px window"


def assert_in_view(page: Page, selector: str = "#form-summary") -> None:
    """``selector`` (by default a refused submission's summary) is on screen now."""
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not drawn on {page.url}"
    height = page.evaluate("window.innerHeight")
    # Its top edge on screen (scrolled to the top, it may sit a fraction of a pixel above).
    assert -1 < box["y"] < height, f"{selector} is at {box['y']} px, off screen"


def shoot(page: Page, name: str, viewport: str) -> None:
    """A screenshot for docs/web.md, when NEGOTIATION_SCREENSHOTS names a directory."""
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}-{viewport}.png"), full_page=True)
