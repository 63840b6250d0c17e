"""Character n-gram intent models for the languages the sentence encoder was not trained on.

USE-multilingual v3 was trained on 16 languages; Vietnamese, Indonesian and Malay are not among them, and
its embeddings of those languages carry little meaning (held-out Vietnamese accuracy 0.28 with the encoder
alone). For each such language a TF-IDF character n-gram classifier is trained on that language's own
examples and blended with the encoder's probabilities for messages in that language (Japanese gets a light
share: it sharpens its out-of-scope boundary); messages in other languages are untouched, so English and the
rest keep their figures (bench/model_ops.py, bench/nlu_quality.py, bench/nlu_crosslingual.py).
The message's language comes from the gateway (metadata) or, for `/model/parse`,
from a small character n-gram language identifier trained on the same examples.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

#: A message is taken to be in a language when the identifier gives it at least this probability.
MIN_LANGUAGE_PROBABILITY = 0.5
SAFE_MODULES = ("sklearn.", "numpy.", "scipy.", "builtins.")


def _char_classifier(ngrams: tuple[int, int], C: float, max_features: int | None = None) -> Pipeline:
    return make_pipeline(
        TfidfVectorizer(analyzer="char_wb", ngram_range=ngrams, sublinear_tf=True, max_features=max_features),
        LogisticRegression(C=C, max_iter=3000),
    )


class CharNgramModels:
    def __init__(self, weights: dict[str, float]) -> None:
        #: {language: share of its character model in the blended probabilities}
        self.weights = weights
        self.identifier: Pipeline | None = None
        self.intents: dict[str, Pipeline] = {}

    def train(self, texts: list[str], intents: list[str], languages: list[str]) -> None:
        """One intent model per weighted language with examples, and the identifier over all languages."""
        for language in self.weights:
            rows = [i for i, lang in enumerate(languages) if lang == language]
            if len({intents[i] for i in rows}) > 1:
                self.intents[language] = _char_classifier((2, 4), C=10.0).fit(
                    [texts[i] for i in rows], [intents[i] for i in rows])
        if self.intents and len(set(languages)) > 1:
            self.identifier = _char_classifier((1, 3), C=10.0, max_features=50_000).fit(texts, languages)

    def _language_weights(self, text: str, language: str | None) -> dict[str, float]:
        if language is not None:
            return {language: 1.0} if language in self.intents else {}
        if self.identifier is None:
            return {}
        probabilities = self.identifier.predict_proba([text])[0]
        return {lang: float(p) for lang, p in zip(self.identifier.classes_, probabilities)
                if lang in self.intents and p >= MIN_LANGUAGE_PROBABILITY}

    def blend(self, probabilities: np.ndarray, classes: list[str], text: str, language: str | None) -> np.ndarray:
        """The encoder's intent probabilities, mixed with a language's character model for its messages."""
        result = probabilities
        for lang, certainty in self._language_weights(text, language).items():
            model = self.intents[lang]
            by_intent = dict(zip(model.classes_, model.predict_proba([text])[0]))
            char = np.array([by_intent.get(intent, 0.0) for intent in classes])
            share = self.weights[lang] * certainty
            result = (1 - share) * result + share * char
        return result

    def save(self, path: Path) -> None:
        import skops.io as sio

        sio.dump({"weights": self.weights, "identifier": self.identifier, "intents": self.intents}, path)

    @classmethod
    def load(cls, path: Path) -> CharNgramModels:
        import skops.io as sio

        untrusted = sio.get_untrusted_types(file=path)
        unexpected = [t for t in untrusted if not t.startswith(SAFE_MODULES)]
        if unexpected:
            raise ValueError(f"unexpected types in {path}: {unexpected}")
        state = sio.load(path, trusted=untrusted)
        models = cls(weights=state["weights"])
        models.identifier, models.intents = state["identifier"], state["intents"]
        return models
