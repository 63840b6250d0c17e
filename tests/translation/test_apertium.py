"""The real Apertium en<->es engine (Debian packages), through the translation service."""

import pytest

from translation.backends.apertium import ApertiumBackend
from translation.service import TranslationService

pytestmark = pytest.mark.skipif(not ApertiumBackend().supports(src_lang="en", tgt_lang="es"),
                                reason="apertium-en-es is not installed (make test installs it)")


def test_spanish_and_english_both_ways_with_order_numbers_intact():
    service = TranslationService([ApertiumBackend()], glossary=["Lumen Market"])
    inbound = service.translate("Mi pedido #1000234 no ha llegado", src_lang="es", tgt_lang="en")
    assert inbound.backend == "apertium" and "#1000234" in inbound.text and "arrived" in inbound.text
    outbound = service.translate("Your order 1000234 from Lumen Market will arrive tomorrow.",
                                 src_lang="en", tgt_lang="es")
    assert "1000234" in outbound.text and "Lumen Market" in outbound.text and "mañana" in outbound.text


def test_a_batch_keeps_one_output_per_input():
    outputs = ApertiumBackend().translate(["hello", "thank you\nvery much", "goodbye"], src_lang="en", tgt_lang="es")
    assert len(outputs) == 3 and outputs[0].lower().startswith("hola")
