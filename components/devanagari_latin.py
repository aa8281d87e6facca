"""Devanagari Hindi written the way Hinglish spells it: "मेरा ऑर्डर कहाँ है" → "mera ordar kahan hai".

Script normalisation for the NLU features (``components.romanising_tokenizer``) and for the
catalogue matcher (``bot.matching``): a Devanagari word and its Hinglish spelling then share
word and character n-grams, and an English loanword written in Devanagari by a speech
recogniser ("डॉक्टर", "टेस्ट", "थायरोनॉर्म") comes out close to its Latin form.

The letters are converted with ``indic_transliteration`` (ITRANS scheme, the maintained
library); two things ITRANS does not do for Hindi are done here, both on whole syllables:
the inherent vowel (schwa) is dropped where Hindi drops it (word-final, and between a
vowel-consonant and a consonant-vowel: "करना" is "karna", not "karanaa"), and the ITRANS
letters are folded to the way Hinglish is typed (no vowel length, no retroflex capitals,
nasal marks as "n", "ऑ" as "o").
"""

from __future__ import annotations

import re
from functools import lru_cache

from indic_transliteration import sanscript

_DEVANAGARI = re.compile(r"[\u0900-\u097f]")
_VIRAMA = "\u094d"
_NUKTA = "\u093c"
# The vowel signs and independent vowels of Devanagari (ITRANS has no "ऑ"/"ॉ"; they are
# read as "o", the way Hindi speakers say English "doctor", "order").
_SIGNS = set("\u093e\u093f\u0940\u0941\u0942\u0943\u0944\u0945\u0946\u0947\u0948\u0949"
             "\u094a\u094b\u094c\u0962\u0963")
_MODIFIERS = set("\u0900\u0901\u0902\u0903")  # chandrabindu, anusvara, visarga
_PRE = str.maketrans({"\u0911": "\u0913", "\u0949": "\u094b", "\u0945": "\u0947",
                      "\u090d": "\u090f"})
# ITRANS → Hinglish spelling, longest first.
_FOLD = [
    (".Dh", "rh"), (".D", "r"), (".N", "n"), (".n", "n"), ("M", "n"), ("~N", "n"),
    ("~n", "n"), ("N^", "n"), ("JN", "n"),
    (".h", ""), (".a", ""), ("H", "h"), ("RRi", "ri"), ("R^i", "ri"), ("Ri", "ri"),
    ("aa", "a"), ("A", "a"), ("ii", "i"), ("I", "i"), ("uu", "u"), ("U", "u"),
    ("Ch", "chh"), ("Sh", "sh"), ("T", "t"), ("D", "d"), ("N", "n"), ("L", "l"),
    ("K", "kh"), ("G", "g"), ("q", "k"),
    ("x", "ksh"), ("GY", "gy"), ("w", "v"), ("W", "v"),
]
_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
# English words written in Devanagari: "ै" is English "a" ("पैन" pan, "कैलपोल" calpol) and
# "फ" is "f" ("फिजिशियन"); in Hindi words they stay "ai" / "ph".
_LOANWORD = str.maketrans({"\u0948": "\u093e", "\u0910": "\u0906", "\u092b": "\u095e"})


def has_devanagari(text: str) -> bool:
    """True when the text contains at least one Devanagari character."""
    return bool(_DEVANAGARI.search(text))


def _syllables(word: str) -> list[tuple[str, bool]]:
    """Split a Devanagari word into (syllable, has_inherent_schwa) units.

    A syllable is an independent vowel, or a consonant cluster (consonants joined by virama)
    with its vowel sign and nasal/visarga marks. A cluster with no vowel sign and no final
    virama carries the inherent vowel.
    """
    units: list[list[str]] = []
    i = 0
    while i < len(word):
        ch = word[i]
        unit = [ch]
        i += 1
        if "\u0915" <= ch <= "\u0939" or "\u0958" <= ch <= "\u095f":
            while i < len(word):
                nxt = word[i]
                if nxt == _NUKTA:
                    unit.append(nxt)
                    i += 1
                elif nxt == _VIRAMA and i + 1 < len(word) and (
                        "\u0915" <= word[i + 1] <= "\u0939" or "\u0958" <= word[i + 1] <= "\u095f"):
                    unit += [nxt, word[i + 1]]
                    i += 2
                else:
                    break
        while i < len(word) and (word[i] in _SIGNS or word[i] in _MODIFIERS
                                 or word[i] == _VIRAMA or word[i] == _NUKTA):
            unit.append(word[i])
            i += 1
        units.append(unit)
    result = []
    for unit in units:
        first = unit[0]
        consonant = "\u0915" <= first <= "\u0939" or "\u0958" <= first <= "\u095f"
        # An inherent vowel with a nasal mark is sounded ("हंस"): not a droppable schwa.
        last = unit[-1]
        schwa = consonant and last not in _SIGNS and last not in _MODIFIERS and last != _VIRAMA
        result.append(("".join(unit), schwa))
    return result


def _is_cluster(syllable: str) -> bool:
    return _VIRAMA in syllable


def _fold(itrans: str) -> str:
    for old, new in _FOLD:
        itrans = itrans.replace(old, new)
    return itrans.lower()


def _word(word: str) -> str:
    units = _syllables(word.translate(_PRE))
    keep = [schwa for _, schwa in units]
    # Word-final schwa goes ("कल" → "kal", "टेस्ट" → "test"), unless the word is one letter.
    if len(units) > 1 and keep[-1]:
        keep[-1] = False
    # Medial: V C(ə) C V → drop ə ("करना" → "karna"), right to left so "समझ" stays "samajh";
    # kept before a cluster ("नमस्ते" → "namaste").
    for i in range(len(units) - 2, 0, -1):
        if keep[i] and not _is_cluster(units[i][0]) and not _is_cluster(units[i + 1][0]) \
                and _vowel_after(units, keep, i - 1) and _vowel_after(units, keep, i + 1):
            keep[i] = False
    out = []
    for (syllable, schwa), kept in zip(units, keep, strict=True):
        text = sanscript.transliterate(syllable, sanscript.DEVANAGARI, sanscript.ITRANS)
        if schwa and not kept and text.endswith("a"):
            text = text[:-1]
        out.append(text)
    return _fold("".join(out))


def _vowel_after(units: list[tuple[str, bool]], keep: list[bool], i: int) -> bool:
    """Whether syllable ``i`` ends in a vowel (a vowel sign, an independent vowel, or a kept
    inherent vowel)."""
    syllable, schwa = units[i]
    if schwa:
        return keep[i]
    return not syllable.endswith(_VIRAMA)


@lru_cache(maxsize=50_000)
def romanise_word(word: str, loanword: bool = False) -> str:
    """One token: Devanagari letters in Hinglish spelling; other characters kept as they are.

    ``loanword`` reads the word as English written in Devanagari (brand names, "पैन" → "pan").
    """
    if not has_devanagari(word):
        return word.translate(_DIGITS)
    word = word.translate(_DIGITS)
    if loanword:
        word = word.translate(_LOANWORD)
    parts = re.split(r"([\u0900-\u0963\u0971-\u097f]+)", word)
    return "".join(_word(p) if p and has_devanagari(p) else p for p in parts)


def romanise(text: str, loanword: bool = False) -> str:
    """A whole text, word by word (whitespace kept as it is)."""
    return re.sub(r"\S+", lambda m: romanise_word(m.group(0), loanword), text)
