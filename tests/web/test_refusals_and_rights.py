"""The pages refuse in one place (``web.refusals`` and the blueprint's handler), and the
templates read what a role may be offered from ``rights``, never comparing roles."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest

from negotiation.domain import errors
from negotiation.domain.caller import Caller
from negotiation.domain.enums import CardReason, Role
from negotiation.domain.errors import DomainError, NotFound, Refused
from negotiation.services.negotiation import cards
from negotiation.web import blueprint, refusals
from negotiation.web.rights import Rights, rights_of
from tests.conftest import ADMIN_TOKEN, START
from tests.web.conftest import text

WEB = Path(__file__).resolve().parents[2] / "negotiation" / "web"
REFUSALS = {name for name, value in vars(errors).items()
            if isinstance(value, type) and issubclass(value, DomainError)}
# The one handler of the blueprint, and the helper for a part of a page drawn without it.
MAY_CATCH = {"blueprint.py", "refusals.py"}


def caught_refusals(path: Path) -> list[int]:
    """The lines of ``path`` with an ``except`` naming a DomainError (or a kind of it)."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ExceptHandler) and node.type is not None:
            names = {n.id for n in ast.walk(node.type) if isinstance(n, ast.Name)}
            names |= {n.attr for n in ast.walk(node.type) if isinstance(n, ast.Attribute)}
            if names & REFUSALS:
                lines.append(node.lineno)
    return lines


def test_no_web_view_catches_a_refusal_of_its_own():
    modules = sorted(WEB.rglob("*.py"))
    assert len(modules) > 10
    caught = {p.name: caught_refusals(p) for p in modules if p.name not in MAY_CATCH}
    assert {name: lines for name, lines in caught.items() if lines} == {}
    assert caught_refusals(WEB / "blueprint.py")  # the checker does find them


def test_no_template_compares_roles():
    """Only the header names who is signed in (``current_caller()``), to show the role."""
    role_test = re.compile(r"\brole\b\s*(==|!=|\bin\b|\bnot\b|\bis\b)")
    templates = sorted((WEB / "templates").glob("*.html"))
    found = {p.name: [line for line in p.read_text().splitlines() if role_test.search(line)]
             for p in templates}
    assert {name: lines for name, lines in found.items() if lines} == {}
    assert [p.name for p in templates if "current_caller()" in p.read_text()] == ["base.html"]
    assert role_test.search("{% if me.role in ('owner', 'agent') %}")


@pytest.mark.parametrize(("role", "store_id", "expected"), [
    (Role.OWNER, 7, Rights(files_reports=True, reviews=False, reads_reports=True,
                           reads_ledgers=True, own_ledger=7, buys=False)),
    (Role.AGENT, 7, Rights(files_reports=True, reviews=False, reads_reports=True,
                           reads_ledgers=False, own_ledger=None, buys=False)),
    (Role.BUYER, None, Rights(files_reports=False, reviews=False, reads_reports=False,
                              reads_ledgers=False, own_ledger=None, buys=True)),
    (Role.REVIEWER, None, Rights(files_reports=False, reviews=True, reads_reports=True,
                                 reads_ledgers=True, own_ledger=None, buys=False)),
    (Role.ADMIN, None, Rights(files_reports=False, reviews=False, reads_reports=False,
                              reads_ledgers=False, own_ledger=None, buys=False)),
])
def test_what_each_role_is_offered(role, store_id, expected):
    assert rights_of(Caller(role=role, account_id=1, store_id=store_id)) == expected
    assert rights_of(None) is None


def test_the_navigation_follows_the_rights(browser, world):
    owner = browser(world.owner).get("/").get_data(as_text=True)
    assert f'href="/stores/{world.owner.caller.store_id}/penalties"' in owner
    assert 'href="/reports/new"' in owner and 'href="/exemptions"' not in owner
    reviewer = browser(world.reviewer).get("/").get_data(as_text=True)
    assert 'href="/exemptions"' in reviewer and 'href="/reports/new"' not in reviewer
    admin = browser(ADMIN_TOKEN).get("/").get_data(as_text=True)
    assert 'href="/reports"' not in admin and 'href="/penalties"' not in admin


def test_a_handler_named_by_an_earlier_request_never_answers_a_later_one(app, browser, world,
                                                                        rt):
    """``g`` outlives a request when an app context is held around several (as here):
    each request starts with nothing named."""
    world.order("O-1")
    card = cards.propose_card(rt.uow(), world.owner.caller, "O-1",
                              proposed_ship_by=START + timedelta(days=5),
                              reason=CardReason.BUYER_REQUEST, remark="")
    b = browser(world.buyer)
    with app.app_context():
        accepted = b.submit("/orders/O-1", f"/orders/O-1/cards/{card.id}/accept")
        assert accepted.status_code == 302  # it named the order page for a refusal
        listed = b.get("/?cursor=not-ours")
    assert listed.status_code in (400, 422)
    assert "订单 Order O-1" not in text(listed)


def test_a_refusal_while_the_page_is_drawn_again_gets_its_own_page(app):
    def draw(**_: object) -> tuple[str, int]:
        raise NotFound("No order O-9.")

    with app.test_request_context("/orders/O-9/cards", method="POST"):
        refusals.redraw_on(draw)
        body, status = blueprint.refused(Refused("no", code=errors.CARD_PENDING))
    assert status == 404 and "No order O-9." in body


def test_what_the_caller_may_not_see_is_never_drawn_on_the_form(app):
    drawn = []
    with app.test_request_context("/orders/O-9/cards", method="POST"):
        refusals.redraw_on(lambda **kw: drawn.append(kw) or ("", 200))
        _, status = blueprint.refused(NotFound("No order O-9."))
    assert status == 404 and drawn == []
