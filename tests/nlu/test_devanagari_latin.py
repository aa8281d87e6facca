"""Devanagari → Hinglish spelling (components/devanagari_latin.py) and the tokenizer that puts
it in the token lemmas the sparse featurizers read (components/romanising_tokenizer.py)."""

from __future__ import annotations

import pytest

from components.devanagari_latin import has_devanagari, romanise, romanise_word

CASES = [
    ("मेरा ऑर्डर कहाँ है", "mera ordar kahan hai"),
    ("डॉक्टर से बात करनी है", "doktar se bat karni hai"),
    ("कल शाम 6 बजे टेस्ट बुक करना है", "kal sham 6 baje test buk karna hai"),
    ("नमस्ते", "namaste"),
    ("धन्यवाद", "dhanyavad"),
    ("समझ नहीं आया", "samajh nahin aya"),
    ("परसों सुबह १० बजे", "parson subah 10 baje"),
    ("पिछला ऑर्डर दोबारा भेज दो", "pichhla ordar dobara bhej do"),
    ("थायरोनॉर्म डोलो 650", "thayronorm dolo 650"),
    ("चमड़ी", "chamri"),
    ("मेरा order कहाँ है?", "mera order kahan hai?"),
]


@pytest.mark.parametrize(("text", "latin"), CASES)
def test_romanise_reads_like_hinglish(text: str, latin: str) -> None:
    assert romanise(text) == latin


def test_loanword_reading_for_brand_names() -> None:
    assert romanise_word("पैन", loanword=True) == "pan"
    assert romanise_word("पैन") == "pain"
    assert romanise("कैलपोल 650", loanword=True) == "kalpol 650"


def test_latin_text_is_unchanged() -> None:
    assert not has_devanagari("mera order kahan hai")
    assert romanise("Dolo 650, 2 strips") == "Dolo 650, 2 strips"


rasa = pytest.importorskip("rasa")


def test_tokenizer_keeps_spans_and_sets_the_latin_lemma() -> None:
    from rasa.shared.nlu.training_data.message import Message

    from components.romanising_tokenizer import RomanisingWhitespaceTokenizer

    tokenizer = RomanisingWhitespaceTokenizer(RomanisingWhitespaceTokenizer.get_default_config())
    text = "मेरा order कहाँ है"
    tokens = tokenizer.tokenize(Message({"text": text}), "text")
    assert [t.text for t in tokens] == ["मेरा", "order", "कहाँ", "है"]
    assert [text[t.start:t.end] for t in tokens] == ["मेरा", "order", "कहाँ", "है"]
    assert [t.lemma for t in tokens] == ["mera", "order", "kahan", "hai"]
