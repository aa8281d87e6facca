"""Rasa's WhitespaceTokenizer (the pipeline's tokenizer) keeps Devanagari words whole.

Older Rasa versions split Devanagari at vowel signs (matras are not ``\\w``); a word cut
into pieces would never match its featurised training form. Rasa 3.6 keeps them whole;
this pins it, including nukta, chandrabindu, conjuncts (virama) and the danda.
"""

from __future__ import annotations

import pytest

pytest.importorskip("rasa")

from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.utils.io import read_yaml_file  # noqa: E402

from tests.nlu.test_nlu_pipeline import ROOT  # noqa: E402

CASES = [
    ("मेरा ऑर्डर कहाँ है", ["मेरा", "ऑर्डर", "कहाँ", "है"]),
    ("कल शाम 6 बजे थायरॉइड टेस्ट करवाना है", ["कल", "शाम", "6", "बजे", "थायरॉइड", "टेस्ट",
                                            "करवाना", "है"]),
    ("डोलो 650 दोबारा भेजिए", ["डोलो", "650", "दोबारा", "भेजिए"]),
    ("मुझे ज़रूरत है, अगले हफ़्ते", ["मुझे", "ज़रूरत", "है", "अगले", "हफ़्ते"]),
    ("क्या डॉक्टर से बात हो सकती है?", ["क्या", "डॉक्टर", "से", "बात", "हो", "सकती", "है"]),
    ("धन्यवाद।", ["धन्यवाद"]),
    ("परसों सुबह १० बजे", ["परसों", "सुबह", "१०", "बजे"]),
    ("मेरा order कहाँ है", ["मेरा", "order", "कहाँ", "है"]),
]


def test_pipeline_uses_the_whitespace_tokenizer() -> None:
    """The pipeline's tokenizer is WhitespaceTokenizer (subclassed to put the Hinglish
    spelling of Devanagari words in their lemma); its tokens are the same."""
    from components.romanising_tokenizer import RomanisingWhitespaceTokenizer

    pipeline = read_yaml_file(str(ROOT / "config.yml"))["pipeline"]
    assert pipeline[0]["name"] == \
        "components.romanising_tokenizer.RomanisingWhitespaceTokenizer"
    assert issubclass(RomanisingWhitespaceTokenizer, WhitespaceTokenizer)
    minilm = next(s for s in pipeline if s["name"].endswith("SentenceTransformerFeaturizer"))
    assert minilm["romanise"] is True


@pytest.mark.parametrize(("text", "words"), CASES)
def test_romanising_tokenizer_keeps_the_same_words(text: str, words: list[str]) -> None:
    from components.romanising_tokenizer import RomanisingWhitespaceTokenizer

    tokenizer = RomanisingWhitespaceTokenizer(RomanisingWhitespaceTokenizer.get_default_config())
    assert [t.text for t in tokenizer.tokenize(Message({"text": text}), "text")] == words


@pytest.mark.parametrize(("text", "words"), CASES)
def test_devanagari_words_stay_whole(text: str, words: list[str]) -> None:
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    tokens = [t.text for t in tokenizer.tokenize(Message({"text": text}), "text")]
    assert tokens == words
