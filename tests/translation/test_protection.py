"""Order numbers, amounts, e-mails, URLs, phones and glossary terms survive machine translation exactly, or
the translation is not shown at all."""

import re

import pytest

from tests.translation.fakes import AdversarialBackend
from translation.protect import PlaceholderMismatch, protect, restore
from translation.service import TranslationService

MESSAGE = "Mi pedido #1000234 no llegó; pagué $120.50 con ana@example.com, ver https://x.example/o/7 o +52 55 1234 5678"
PROTECTED = ["#1000234", "$120.50", "ana@example.com", "https://x.example/o/7", "+52 55 1234 5678"]


def test_protected_values_are_placeholders():
    protected = protect(MESSAGE)
    assert protected.values == PROTECTED
    assert not any(value in protected.text for value in PROTECTED)
    assert restore(protected.text, protected.values) == MESSAGE


def test_glossary_terms_are_kept_whole():
    protected = protect("Llegó con DHL Express de Lumen Market", ["Lumen Market", "DHL Express"])
    assert protected.values == ["DHL Express", "Lumen Market"]


@pytest.mark.parametrize("broken", ["[0] [1]", "[0] [0] [1] [2] [3] [4]", "[0] [1] [2] [3] [4] [5]", "nothing"])
def test_restore_rejects_lost_duplicated_or_invented_placeholders(broken):
    with pytest.raises(PlaceholderMismatch):
        restore(broken, PROTECTED)


def test_text_that_looks_like_a_placeholder_is_protected_too():
    protected = protect("see note [1] about order 1000234")
    assert restore(protected.text.upper(), protected.values) == "SEE NOTE [1] ABOUT ORDER 1000234"


def test_a_translation_that_lost_a_value_is_retried_piece_by_piece():
    backend = AdversarialBackend("drop")
    translation = TranslationService([backend], glossary=[]).translate(MESSAGE, src_lang="es", tgt_lang="en")
    assert translation is not None
    for value in PROTECTED:
        assert value in translation.text
    assert translation.text.index("#1000234") < translation.text.index("$120.50")  # source order kept
    assert len(backend.calls) == 2  # the whole text, then the pieces


def test_reordered_placeholders_carry_their_own_values():
    """Word order changes between languages: each value follows its placeholder, none is lost or altered."""
    backend = AdversarialBackend("reorder")
    translation = TranslationService([backend], glossary=[]).translate(MESSAGE, src_lang="es", tgt_lang="en")
    assert sorted(v for v in PROTECTED if v in translation.text) == sorted(PROTECTED)
    assert len(backend.calls) == 1


@pytest.mark.parametrize("mode", ["change_numbers", "invent_number"])
def test_wrong_numbers_are_never_shown(mode):
    service = TranslationService([AdversarialBackend(mode)], glossary=[])
    translation = service.translate("Tengo 2 paquetes del pedido 1000234", src_lang="es", tgt_lang="en")
    if translation is not None:
        assert sorted(re.findall(r"\d+", translation.text)) == ["1000234", "2"]
    assert service.translate("Tengo 3 paquetes", src_lang="es", tgt_lang="en") is None


def test_no_backend_means_no_translation():
    assert TranslationService([], glossary=[]).translate("hola", src_lang="es", tgt_lang="en") is None


def test_translation_memory_serves_repeats(db_session):
    backend = AdversarialBackend("none")
    service = TranslationService([backend], glossary=[])
    first = service.translate_cached("Your order is on its way.", src_lang="en", tgt_lang="xx", db_session=db_session)
    again = service.translate_cached("Your order is on its way.", src_lang="en", tgt_lang="xx", db_session=db_session)
    changed = service.translate_cached("Your order is here.", src_lang="en", tgt_lang="xx", db_session=db_session)
    assert first.text == again.text == "YOUR ORDER IS ON ITS WAY."
    assert again.cached and not first.cached and not changed.cached
    assert len(backend.calls) == 2
    db_session.rollback()
