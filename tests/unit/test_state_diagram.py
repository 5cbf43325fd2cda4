from negotiation.diagram import DOCUMENT, render


def test_the_committed_state_diagram_is_generated_from_the_current_transition_tables():
    assert DOCUMENT.read_text() == render(), (
        "docs/state-machine.md is stale: run `python -m negotiation.diagram > "
        "docs/state-machine.md`")


def test_the_diagram_shows_every_conditional_transition_with_its_condition():
    assert "AWAITING_BUYER --> FAILED: card_closed [no_cards_left]" in render()
