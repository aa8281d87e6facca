"""Whitespace tokens whose lemma is their Hinglish spelling: Devanagari meets Latin Hindi.

``WhitespaceTokenizer`` (Rasa 3.6 keeps Devanagari words whole, see
``tests/nlu/test_devanagari_tokenizer.py``) plus one thing: each Devanagari token's ``lemma``
is its romanised form (``components.devanagari_latin``). The CountVectorsFeaturizers read
lemmas (``use_lemma``, their default), so "ऑर्डर" and "order", "कल" and "kal" share word and
character n-grams; token text, offsets and entity spans stay the customer's own.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message

from components.devanagari_latin import has_devanagari, romanise_word


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False
)
class RomanisingWhitespaceTokenizer(WhitespaceTokenizer):
    """WhitespaceTokenizer that sets a Devanagari token's lemma to its Latin spelling."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**WhitespaceTokenizer.get_default_config(), "romanise": True}

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        tokens = super().tokenize(message, attribute)
        if self._config.get("romanise", True):
            for token in tokens:
                if has_devanagari(token.text):
                    token.lemma = romanise_word(token.text)
        return tokens
