"""The places a regional declaration may name, and a declaration's state and ending
(RULES.md §4), as plain functions of the clock's instant."""

from datetime import UTC, datetime, timedelta

import pytest

from negotiation.domain import declarations, places
from negotiation.domain.declarations import DeclarationState
from negotiation.domain.errors import Refused
from negotiation.domain.places import PlaceKind

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def test_every_code_names_one_place():
    assert len({p.code for p in places.PLACES}) == len(places.PLACES)


def test_a_place_is_found_by_its_code_with_its_names():
    zhejiang = places.place("Zhejiang")
    assert zhejiang is not None
    assert (zhejiang.zh, zhejiang.en, zhejiang.kind) == ("浙江", "Zhejiang", PlaceKind.PROVINCE)
    assert zhejiang.label == "浙江 Zhejiang"
    hangzhou = places.place("Hangzhou")
    assert hangzhou is not None and (hangzhou.kind, hangzhou.province) == (
        PlaceKind.CITY, "Zhejiang")


@pytest.mark.parametrize("typed", ["浙江", "zhejiang", "Zhejiang ", ""])
def test_a_name_typed_any_other_way_is_no_code(typed):
    assert places.place(typed) is None and not places.is_known(typed)


def test_the_first_level_counts_gb_t_2260s_34_places_each_city_under_one():
    groups = places.grouped()
    assert len(groups) == 34
    assert {first.kind for first, _ in groups} == set(PlaceKind) - {PlaceKind.CITY}
    cities = [city for _, group in groups for city in group]
    assert len(cities) == sum(p.kind is PlaceKind.CITY for p in places.PLACES)
    assert all(city.province == first.code for first, group in groups for city in group)


@pytest.mark.parametrize(("now", "state"), [
    (NOW - SECOND, DeclarationState.UPCOMING), (NOW, DeclarationState.ACTIVE),
    (NOW + timedelta(hours=1) - SECOND, DeclarationState.ACTIVE),
    (NOW + timedelta(hours=1), DeclarationState.ENDED)])
def test_a_window_is_upcoming_active_then_ended_at_its_edges(now, state):
    assert declarations.state_of(NOW, NOW + timedelta(hours=1), None, now) is state


def test_one_ended_early_is_ended_whatever_its_window():
    assert declarations.state_of(NOW, NOW, NOW - SECOND, NOW - SECOND) is DeclarationState.ENDED


def test_ending_brings_the_end_to_now_or_to_the_start_of_one_not_begun():
    assert declarations.ended_window_end(NOW, NOW + timedelta(days=1), None, NOW + SECOND,
                                         "exemption") == NOW + SECOND
    assert declarations.ended_window_end(NOW, NOW + timedelta(days=1), None, NOW - SECOND,
                                         "exemption") == NOW


@pytest.mark.parametrize(("ends_at", "ended_at"), [(NOW, None), (NOW + SECOND, NOW)])
def test_ending_one_already_over_is_refused(ends_at, ended_at):
    with pytest.raises(Refused) as refused:
        declarations.ended_window_end(NOW - SECOND, ends_at, ended_at, NOW, "extension")
    assert refused.value.code == "declaration_ended"
