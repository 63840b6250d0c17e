"""The response registry names responses of the catalogue: a renamed or removed response fails here, not
silently in the gateway (a question that no longer holds the Rasa session, buttons that no longer show)."""

import yaml

from translation.response_registry import BUTTONS, RESPONSES
from translation.responses import BOT_LANGUAGE, RESPONSES_DIR, get_catalog


def test_every_registered_response_is_in_the_catalogue():
    assert sorted(set(RESPONSES) - get_catalog().keys(BOT_LANGUAGE)) == []


def test_every_button_title_is_an_english_term():
    terms = yaml.safe_load((RESPONSES_DIR / f"{BOT_LANGUAGE}.yml").read_text(encoding="utf-8"))["terms"]
    titles = {button.title_term for buttons in BUTTONS.values() for button in buttons}
    assert sorted(titles - set(terms)) == []
