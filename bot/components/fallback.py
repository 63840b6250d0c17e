"""Rasa's `FallbackClassifier` with a confidence threshold per shopper language.

English messages are read by the encoder and by a character model of the English examples; their
probabilities are flatter than those of translated messages, so the threshold that keeps English out-of-scope
recall costs other languages their fallbacks (measured with bench/nlu_levers.py: one threshold of 0.3 gives
Bitext 0.93 but xSID ar 0.92 -> 0.86). The language comes from the message metadata the gateway sends.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.fallback_classifier import THRESHOLD_KEY, FallbackClassifier
from rasa.shared.nlu.constants import METADATA
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LanguageFallbackClassifier(FallbackClassifier):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        # {language: threshold}; languages not named use `threshold`
        return {**FallbackClassifier.get_default_config(), "language_thresholds": {}}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LanguageFallbackClassifier:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            threshold = self.threshold_for(message)
            FallbackClassifier({**self.component_config, THRESHOLD_KEY: threshold}).process([message])
        return messages

    def threshold_for(self, message: Message) -> float:
        metadata = message.get(METADATA) or {}
        language = metadata.get("language") if isinstance(metadata, dict) else None
        return float(self.component_config["language_thresholds"].get(language, self.component_config[THRESHOLD_KEY]))
