"""The web widget's script as served at /widget.js: gateway/static/widget.js with the configured languages
(native names, right-to-left flags), the message length limit and the widget's own words in every language
baked in, so a shop's page needs one script tag and no other request before the first message."""

import json
from functools import lru_cache
from pathlib import Path

from gateway.settings import get_settings
from translation.languages import is_rtl, native_name
from translation.responses import ResponseCatalog
from translation.settings import get_settings as get_translation_settings

SCRIPT = Path(__file__).resolve().parent / "static" / "widget.js"
CONFIG_PLACEHOLDER = "__SHOPBOT_WIDGET_CONFIG__"
#: Terms of bot/responses/<lang>.yml the widget shows around the conversation.
WIDGET_TERMS = ("widget.title", "widget.placeholder", "widget.send", "widget.person", "widget.reconnecting",
                "widget.typing", "widget.language_auto")


def widget_config(responses: ResponseCatalog) -> dict:
    languages = get_translation_settings().languages
    return {
        "languages": [{"code": code, "name": native_name(code), "rtl": is_rtl(code)} for code in languages],
        "maxChars": get_settings().max_message_chars,
        "words": {code: {term.split(".", 1)[1]: responses.term(term, code) for term in WIDGET_TERMS}
                  for code in languages},
    }


@lru_cache(maxsize=1)
def widget_script(responses: ResponseCatalog) -> str:
    config = json.dumps(widget_config(responses), ensure_ascii=False)
    return SCRIPT.read_text(encoding="utf-8").replace(CONFIG_PLACEHOLDER, config, 1)
