"""The character n-gram models blended in for languages the sentence encoder was not trained on."""

import numpy as np

from bot.components.char_ngrams import CharNgramModels

CLASSES = ["cancel_order", "order_status"]
EXAMPLES = [
    ("where is my order", "order_status", "en"), ("has my parcel shipped", "order_status", "en"),
    ("cancel my order", "cancel_order", "en"), ("I want to cancel the purchase", "cancel_order", "en"),
    ("đơn hàng của tôi đâu rồi", "order_status", "vi"), ("kiện hàng của mình đang ở đâu", "order_status", "vi"),
    ("khi nào tôi nhận được hàng", "order_status", "vi"), ("tôi muốn hủy đơn hàng", "cancel_order", "vi"),
    ("hủy đơn giúp mình với", "cancel_order", "vi"), ("mình muốn hủy đơn vừa đặt", "cancel_order", "vi"),
]
#: What the encoder says about any message in this test: it cannot tell (Vietnamese is noise to it).
UNSURE = np.array([0.5, 0.5])


def trained() -> CharNgramModels:
    models = CharNgramModels(weights={"vi": 0.7, "ms": 0.7})
    texts, intents, languages = zip(*EXAMPLES)
    models.train(list(texts), list(intents), list(languages))
    return models


def test_a_vietnamese_message_is_decided_by_its_own_languages_model():
    models = trained()
    assert set(models.intents) == {"vi"}  # no Malay examples: no Malay model
    for language in ("vi", None):  # told by the gateway, or identified from the text
        blended = models.blend(UNSURE, CLASSES, "hủy đơn hàng này giúp tôi", language)
        assert CLASSES[int(np.argmax(blended))] == "cancel_order"
        assert abs(blended.sum() - 1.0) < 1e-6


def test_messages_in_other_languages_keep_the_encoders_probabilities():
    models = trained()
    encoder = np.array([0.2, 0.8])
    assert np.array_equal(models.blend(encoder, CLASSES, "cancel my order please", "en"), encoder)
    assert np.array_equal(models.blend(encoder, CLASSES, "cancel my order please", None), encoder)
