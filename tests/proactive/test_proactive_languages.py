"""Every language shoppers may use has its own proactive messages: the same responses, terms and placeholders as
English, a WhatsApp template for every kind, quick-reply titles within WhatsApp's limit, and "stop" understood."""

import string
import unicodedata
from pathlib import Path

import pytest
import yaml

from proactive import channel_rules, outreach
from proactive.flows import is_stop
from translation.settings import TranslationSettings

RESPONSES_DIR = Path(outreach.__file__).with_name("responses")
LANGUAGES = TranslationSettings().languages
#: WhatsApp limits a quick-reply button's title to 20 characters.
MAX_BUTTON_TITLE = 20
#: A way to say "stop" per language, as a shopper would type it.
STOP_BY_LANGUAGE = {
    "en": "STOP", "es": "Detener", "ar": "توقف", "fr": "Arrêter", "de": "Stopp", "it": "Basta", "pt": "Sair",
    "tr": "Dur", "ru": "Стоп", "zh": "退订", "ja": "配信停止", "ko": "수신거부", "id": "Berhenti",
    "vi": "Dừng", "th": "หยุด", "ms": "Berhenti melanggan",
}


def load(language: str) -> dict:
    return yaml.safe_load((RESPONSES_DIR / f"{language}.yml").read_text(encoding="utf-8"))


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}


ENGLISH = load("en")


@pytest.mark.parametrize("language", LANGUAGES)
def test_responses_match_english(language):
    path = RESPONSES_DIR / f"{language}.yml"
    assert path.is_file(), f"no proactive/responses/{language}.yml"
    data = load(language)
    assert data["language"] == language
    assert set(data["responses"]) == set(ENGLISH["responses"])
    assert set(data["terms"]) == set(ENGLISH["terms"])
    for key, text in ENGLISH["responses"].items():
        assert placeholders(data["responses"][key]) == placeholders(text), f"{language}: {key}"
    for key, title in data["terms"].items():
        assert title.strip(), f"{language}: {key} is empty"
        if key.startswith("button."):
            assert len(title) <= MAX_BUTTON_TITLE, f"{language}: {key} {title!r} is longer than WhatsApp allows"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_kind_has_an_entry_for_the_language(language):
    for kind, by_language in channel_rules.templates().items():
        assert language in by_language, f"{kind} has no {language} template"
        entry, english = by_language[language], by_language["en"]
        assert entry["language"].split("_")[0] == language, f"{kind}/{language}: code {entry['language']}"
        assert {k: v for k, v in entry.items() if k != "language"} == \
            {k: v for k, v in english.items() if k != "language"}, f"{kind}/{language}"
        assert set(entry["parameters"]) <= placeholders(ENGLISH["responses"][kind])


@pytest.mark.parametrize("language", LANGUAGES)
def test_stop_is_understood(language):
    assert is_stop(STOP_BY_LANGUAGE[language] + "!")


@pytest.mark.parametrize(("language", "expected"), [
    ("tr", "Güzel haber: 1000042 numaralı siparişiniz Aras Kargo ile yola çıktı, takip numarası: AK77123."),
    ("zh", "好消息：订单 1000042 已交由 Aras Kargo 配送，运单号为 AK77123。"),
])
def test_a_shipping_update_renders_in_the_shoppers_language(language, expected):
    payload = {"response": "order_shipped",
               "vars": {"order_id": "1000042", "carrier": "Aras Kargo", "tracking_number": "AK77123"}}
    assert outreach.catalog().is_localized(payload, language)
    assert outreach.catalog().render(payload, language) == expected


def test_stop_is_understood_however_its_letters_were_composed():
    decomposed = unicodedata.normalize("NFD", "Dừng")
    assert decomposed != "Dừng" and is_stop(decomposed)
