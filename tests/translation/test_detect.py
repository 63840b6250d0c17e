from pathlib import Path

import pytest

from translation.detect import detect_language
from translation.languages import LAUNCH_LANGUAGES, is_rtl, language_code


@pytest.mark.parametrize(("text", "language"), [
    ("¿Dónde está mi pedido 1000234?", "es"),
    ("Onde está o meu pedido?", "pt"),
    ("Où est ma commande ?", "fr"),
    ("Wo ist meine Bestellung?", "de"),
    ("أين طلبي؟ لم يصل بعد", "ar"),
    ("Siparişim nerede?", "tr"),
    ("Где мой заказ?", "ru"),
    ("我的订单在哪里", "zh"),
    ("注文はどこですか", "ja"),
    ("주문 상태를 알려주세요", "ko"),
    ("Đơn hàng của tôi ở đâu", "vi"),
    ("คำสั่งซื้อของฉันอยู่ที่ไหน", "th"),
    ("Pesanan saya belum sampai", "id"),
])
def test_launch_languages_are_recognised(text, language):
    detection = detect_language(text, allowed=LAUNCH_LANGUAGES, current="en")
    assert detection.decided and detection.language == language


@pytest.mark.parametrize("text", ["ok", "sí", "1000234", "maria@example.com", "https://shop.example/x", "👍"])
def test_short_or_language_less_messages_keep_the_conversation_language(text):
    detection = detect_language(text, allowed=LAUNCH_LANGUAGES, current="es")
    assert detection.language == "es" and not detection.decided


@pytest.mark.parametrize(("text", "language"), [("bonjour", "fr"), ("gracias", "es"), ("привет", "ru"),
                                               ("Hola!", "es"), ("olá", "pt")])
def test_a_short_first_message_is_enough_to_start_in_that_language(text, language):
    assert detect_language(text, allowed=LAUNCH_LANGUAGES, current=None).language == language


@pytest.mark.parametrize(("text", "language"), [
    ("verificar a taxa de saída antecipada", "pt"),  # the detector splits it between pt and en
    ("my name is José García and my parcel has not arrived", "en"),
    ("where is my order? I paid 50 €", "en"),
])
def test_a_first_message_with_letters_english_does_not_use_is_not_taken_for_english(text, language):
    assert detect_language(text, allowed=LAUNCH_LANGUAGES, current=None).language == language


def test_apostrophes_are_kept_for_the_detector():
    # "what s the weather on mars" is French to the detector
    assert detect_language("what's the weather on mars", allowed=LAUNCH_LANGUAGES, current=None).language == "en"


@pytest.mark.parametrize(("text", "language"), [
    ("my order رقم 1000234 لم يصل بعد", "ar"),
    ("我的order 1000234 在哪里", "zh"),
])
def test_mixed_script_messages_follow_the_non_latin_script(text, language):
    assert detect_language(text, allowed=LAUNCH_LANGUAGES, current="en").language == language


def test_detection_is_restricted_to_the_configured_languages():
    detection = detect_language("Wo ist meine Bestellung?", allowed=["en", "es"], current="es")
    assert detection.language in {"en", "es"}


def test_language_names_and_direction():
    assert language_code("Spanish") == language_code("español") == "es"
    assert language_code("العربية") == "ar" and language_code("klingon") is None
    assert is_rtl("ar") and not is_rtl("es")


def test_the_nlu_lookup_table_knows_every_language_name():
    import yaml

    from translation.languages import LANGUAGE_NAMES

    path = Path(__file__).resolve().parents[2] / "bot" / "data" / "nlu" / "language_names.yml"
    [lookup] = yaml.safe_load(path.read_text())["nlu"]
    known = {line.strip()[2:].lower() for line in lookup["examples"].splitlines() if line.strip()}
    assert {name for names in LANGUAGE_NAMES.values() for name in names} <= known


@pytest.mark.parametrize(("text", "language"), [
    ("Hvor er min ordre? Jeg har ventet i to uger", "da"),
    ("Waar is mijn bestelling? Ik wacht al twee weken", "nl"),
    ("Менің тапсырысым қайда? Екі апта күттім", "kk"),  # Cyrillic, but not Russian
])
def test_a_message_clearly_in_a_language_that_is_not_configured_is_named_as_such(text, language):
    detection = detect_language(text, allowed=LAUNCH_LANGUAGES, current="es")
    assert detection.unsupported == language and detection.language == "es" and not detection.decided


@pytest.mark.parametrize("text", ["Onde está o meu pedido?", "Где мой заказ? Жду уже две недели", "hej",
                                  "Wo ist meine Bestellung?", "Siparişim nerede, iki haftadır bekliyorum"])
def test_configured_and_short_messages_are_not_taken_for_another_language(text):
    assert detect_language(text, allowed=LAUNCH_LANGUAGES, current="en").unsupported is None


@pytest.mark.parametrize("text", ["pesanan saya belum sampai", "apa status pesanan saya"])
def test_a_malay_conversation_stays_malay_when_a_message_shared_by_both_languages_reads_as_indonesian(text):
    assert detect_language(text, allowed=LAUNCH_LANGUAGES, current="ms").language == "ms"
    assert detect_language(text, allowed=LAUNCH_LANGUAGES, current="id").language == "id"
    assert detect_language(text, allowed=LAUNCH_LANGUAGES, current="en").language == "id"  # the detector's pick


@pytest.mark.parametrize(("text", "language"), [
    ("apa polisi pemulangan barang?", "ms"), ("caj penghantaran berapa", "ms"),
    ("hai, mana pesanan saya nombor 1000101?", "ms"), ("saya mahu batalkan pesanan", "ms"),
    ("kapan pesanan saya sampai?", "id"), ("barang saya belum sampai, tolong cek resi", "id"),
])
def test_words_only_malay_or_only_indonesian_use_decide_between_the_two(text, language):
    for current in (None, "en", "ms", "id"):
        assert detect_language(text, allowed=LAUNCH_LANGUAGES, current=current).language == language, current
