"""Names written in Devanagari, read the way the catalogue writes them.

``latin_name("स्किन स्पेशलिस्ट")`` → ``"skin specialist"``, ``"थायरॉइड प्रोफाइल"`` →
``"thyroid profile"``, ``"बच्चों के डॉक्टर"`` → ``"bachchon ka doctor"``, ``"डोलो 650"`` →
``"dolo 650"``. Used before the catalogue resolvers (medicines in ``bot.matching``, lab tests
in ``bot.labs``, specialities in ``bot.doctors``), which then match the Latin form exactly as
they match what a customer typed in Latin letters (aliases, typos, phonetic folding).

Hindi words for medical things (त्वचा, जांच, हड्डी) become the English or Hinglish words the
catalogue aliases use; everything else is romanised as an English loanword
(``components.devanagari_latin``). Text without Devanagari is returned unchanged.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from components.devanagari_latin import has_devanagari, romanise_word

# Whole phrases first (longest wins), then single words. Spelling variants a speech
# recogniser or a phone keyboard produces are listed side by side.
_PHRASES = {
    "बाल रोग विशेषज्ञ": "paediatrician",
    "स्त्री रोग विशेषज्ञ": "gynaecologist",
    "त्वचा रोग विशेषज्ञ": "dermatologist",
    "हृदय रोग विशेषज्ञ": "cardiologist",
    "नेत्र रोग विशेषज्ञ": "eye specialist",
    "हड्डी रोग विशेषज्ञ": "orthopaedic",
    "मनोरोग विशेषज्ञ": "psychiatrist",
    "कान नाक गला": "ear nose throat",
    "नाक कान गला": "ear nose throat",
    "खून की जांच": "blood test",
    "खून की जाँच": "blood test",
    "शुगर की जांच": "sugar test",
    "शुगर की जाँच": "sugar test",
}
_WORDS = {
    "डॉक्टर": "doctor", "डाक्टर": "doctor", "डॉ": "doctor", "चिकित्सक": "doctor",
    "विशेषज्ञ": "specialist", "स्पेशलिस्ट": "specialist", "स्पेशलिष्ट": "specialist",
    "त्वचा": "twacha", "चमड़ी": "skin", "स्किन": "skin", "बाल": "hair",
    "बच्चों": "bachchon", "बच्चो": "bachchon", "बच्चे": "bachchon", "बच्चा": "bachchon",
    "का": "ka", "के": "ka", "की": "ka",
    "महिला": "mahila", "लेडी": "lady", "गायनी": "gynae", "गाइनी": "gynae",
    "दिल": "dil", "हृदय": "heart", "हार्ट": "heart", "हड्डी": "haddi", "हड्डियों": "haddi",
    "दांत": "daant", "दाँत": "daant", "दांतों": "daant", "आंख": "aankh", "आँख": "aankh",
    "आंखों": "aankhon", "आँखों": "aankhon", "पेट": "pet", "मन": "mann", "दिमाग": "dimaag",
    "दिमाग़": "dimaag", "सांस": "saans", "साँस": "saans", "पेशाब": "peshab",
    "मधुमेह": "diabetes", "शुगर": "sugar", "डायबिटीज": "diabetes", "डायबिटीज़": "diabetes",
    "जनरल": "general", "फिजिशियन": "physician", "फ़िज़िशियन": "physician",
    "टेस्ट": "test", "जांच": "test", "जाँच": "test", "खून": "blood", "ब्लड": "blood",
    "प्रोफाइल": "profile", "प्रोफ़ाइल": "profile", "चेकअप": "checkup", "चेक": "check",
    "फुल": "full", "फ़ुल": "full", "बॉडी": "body", "थायरॉइड": "thyroid", "थायराइड": "thyroid",
    "थायरायड": "thyroid", "थाइरोइड": "thyroid", "लिपिड": "lipid", "विटामिन": "vitamin",
    "डी": "d", "सी": "c", "बी": "b", "डी3": "d3", "बी12": "b12", "सीबीसी": "cbc",
    "एलएफटी": "lft", "केएफटी": "kft",
    "आरएफटी": "rft", "टीएसएच": "tsh", "एचबीए1सी": "hba1c", "किडनी": "kidney",
    "लिवर": "liver", "लीवर": "liver", "यूरिन": "urine", "पेशाब्": "urine", "डेंगू": "dengue",
    "टाइफाइड": "typhoid", "टायफाइड": "typhoid", "मलेरिया": "malaria", "कोविड": "covid",
    "कोरोना": "corona", "प्रेगनेंसी": "pregnancy", "कोलेस्ट्रॉल": "cholesterol",
    "कैल्शियम": "calcium", "आयरन": "iron", "यूरिक": "uric", "एसिड": "acid",
    "इंसुलिन": "insulin", "प्लेटलेट": "platelet", "प्लेटलेट्स": "platelets",
}
# English letters said by name ("जीपी" GP, "एलसी" LC, "एसआर" SR), as in brand names.
_LETTERS = {
    "ए": "a", "बी": "b", "सी": "c", "डी": "d", "ई": "e", "एफ": "f", "जी": "g", "एच": "h",
    "आई": "i", "जे": "j", "के": "k", "एल": "l", "एम": "m", "एन": "n", "ओ": "o", "पी": "p",
    "क्यू": "q", "आर": "r", "एस": "s", "टी": "t", "यू": "u", "वी": "v", "डब्ल्यू": "w",
    "एक्स": "x", "वाई": "y", "जेड": "z", "ज़ेड": "z",
}
_LETTERS_RE = re.compile("(?:" + "|".join(sorted(map(re.escape, _LETTERS), key=len,
                                                   reverse=True)) + ")")
NAMES_CSV = Path(__file__).resolve().parent.parent / "data" / "catalogue" / "devanagari_names.csv"


def devanagari_names(path: Path = NAMES_CSV) -> list[dict[str, str]]:
    """Rows of ``data/catalogue/devanagari_names.csv``: kind (medicine, lab_test, speciality),
    the Devanagari name, and the catalogue's Latin alias it means."""
    with open(path, encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row.get("devanagari")]


_PHRASES.update({row["devanagari"]: row["latin"] for row in devanagari_names()})
# Whole words only ("गायनी" is not replaced inside a longer word); the danda ends a word too.
_PHRASE_RE = re.compile(r"(?<!\S)(?:" + "|".join(sorted(map(re.escape, _PHRASES), key=len,
                                                          reverse=True)) + r")(?![^\s,.?!।])")


def _spelt(word: str) -> str | None:
    """'एलसी' → 'lc' when the whole word is two or more English letter names, else None."""
    names = _LETTERS_RE.findall(word)
    if len(names) >= 2 and "".join(names) == word:
        return "".join(_LETTERS[n] for n in names)
    return None


def latin_name(text: str) -> str:
    """The catalogue-side spelling of a name the customer wrote in Devanagari."""
    if not isinstance(text, str) or not has_devanagari(text):
        return text
    text = _PHRASE_RE.sub(lambda m: _PHRASES[m.group(0)], text)
    words = []
    for word in text.split():
        bare = word.strip("।,.?!")
        words.append(_WORDS.get(bare) or _spelt(bare) or romanise_word(bare, loanword=True))
    return " ".join(w for w in words if w)
