"""Concept patterns for the safety classifier, over one folded spelling of all three scripts.

bot/safety.py matches phrase lists written per script. This module adds a second reading
that does not depend on how a word was spelt: :func:`fold` turns a clause into one Latin
spelling (Devanagari romanised the way Hinglish is typed by ``components.devanagari_latin``;
vowel length and z/j folded: "seene" = "sine" = "सीने", "khoon" = "khun" = "खून",
"zindagi" = "jindgi" = "ज़िंदगी"), and the patterns below name concepts that co-occur
within a few words — a body site or function and a sign that it is failing now
("chest … heaviness", "ek taraf … sunn", "oxygen 82", "body … jerking") — rather than
fixed phrases. bot/safety.py applies its usual filters (medicine name, past, negation,
comes-and-goes) to every match.
"""

from __future__ import annotations

import re
from functools import lru_cache

_DEVA = "\u0900-\u097f"
_DEVANAGARI = re.compile(rf"[{_DEVA}]")
_VOWELS = [("aa", "a"), ("ee", "i"), ("ii", "i"), ("oo", "u"), ("uu", "u"), ("z", "j")]
_NON_WORD = re.compile(r"[^a-z0-9]+")
_NAHI = re.compile(r"(?<![a-z0-9])(?:nahin|nhi|nai|nahee|nahi)(?![a-z0-9])")


@lru_cache(maxsize=4096)
def romanise(text: str) -> str:
    """Devanagari in Hinglish spelling ("सीने में दर्द" → "sine men dard")."""
    from components.devanagari_latin import romanise  # imported only for Devanagari

    return romanise(text).replace(".dh", "dh").replace(".d", "d")


def fold(clause: str) -> str:
    """One Latin spelling of a normalised clause (any script); words single-spaced."""
    text = romanise(clause) if _DEVANAGARI.search(clause) else clause
    text = text.lower()
    for old, new in _VOWELS:
        text = text.replace(old, new)
    text = _NON_WORD.sub(" ", text).strip()
    return _NAHI.sub("nahi", text)


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![a-z0-9])(?:{pattern})(?![a-z0-9])")


_W = r"(?:\S+\s){0,5}"
_W3 = r"(?:\S+\s){0,3}"
_NOT = r"(?:nahi|nahin|nhi|na|nai|not|cant|cannot|wont|isnt)"
_SUDDEN = (
    r"sudden\w*|achanak|all\sof\sa\ssudden|just\snow|right\snow|abhi|woke\sup\swith|since\san?\s"
    r"(?:hour|hr)|since\s\d+\s(?:min\w*|hours?|hrs?)"
)

# chest -----------------------------------------------------------------------------------
_CHEST = r"chest|chset|sine|sina|sene|chhati|chati|chhatti"
_CHEST_BAD = (
    r"pain\w*|pian|hurts?|hurting|ache|aching|pressure|tight\w*|heavy|heavi\w*|squeez\w*"
    r"|crush\w*|killing|elephant|standing\son|sitting\son|dard|dabav|dabao|bhari\w*|jakad\w*|jakd\w*"
)
# breathing -------------------------------------------------------------------------------
_BREATH = r"breath\w*|brething|breating|sans|swas|saas|sas|air"
_BREATH_BAD = (
    r"cant|cannot|hardly|barely|struggl\w*|gasp\w*|difficult\w*|hard|laboured|labored|heavy"
    r"|ruk\w*|atak\w*|ukhad\w*|fas\w*|fans\w*|band|nahi\sle\w*|nahi\sli\w*|nahi\sa|stopp\w*"
    r"|weird|noisy|strange\w*|irregular|shallow|grunt\w*|like\sa\sfish|not\sable\sto\s(?:speak|talk)"
)
# unconscious -----------------------------------------------------------------------------
_FELL = r"fell|fallen|collapsed|gir\s(?:gay\w*|pad\w*|gai|ge)|giri|gira|gire|girk\w*"
_NOT_MOVING = (
    r"not\smoving|no\smovement|isnt\smoving|hil\s(?:bhi\s)?nahi\w*|hil\snhi|ankh\w*\s(?:\S+\s)?"
    r"(?:band|nahi\skhol\w*)|not\sopening\s(?:his\s|her\s)?eyes|not\sgetting\sup|uth\snahi\w*"
    r"|not\sresponding|no\sresponse|jawab\snahi|javab\snahi|kuchh?\sbol\snahi\srah\w*"
)
# stroke ----------------------------------------------------------------------------------
_SIDE = (
    r"(?:one|left|right|ek|half|adha|adhe|baen|bayen|bain|daen|dayen|dahin\w*|bayan\w*|baya)"
    r"\s(?:\S+\s)?"
    r"(?:side|taraf|tarf|taraph|hissa|hisse)"
)
_LIMB = (
    r"arm|arms|leg|legs|hand|hands|hath|hat|pair|per|paon|pau|baju|bazu|side|face|body"
    r"|sharir|sarir|badan"
)
_LIMB_BAD = (
    r"weak\w*|kamjor\w*|kamzor\w*|numb\w*|sunn|sun\sho\w*|paraly\w*|dead|not\sworking|kam\snahi"
    r"|kaam\snahi|not\smoving|utha\snahi|uth\snahi|hil\snahi|latak\w*|droop\w*|drop\w*|went\sweak"
    r"|gave\sway|gives\sway"
)
_SPEECH = (
    r"speech|words|speaking|talking|talk|bol|boli|bolna|avaj|awaj|avaaj|juban|jaban|jabaan|jban"
)
_SPEECH_BAD = (
    r"slur\w*|jumbl\w*|garbl\w*|unclear|not\sclear|not\smaking\ssense|funny|strange\w*|weird\w*"
    r"|ladakh\w*|ladkh\w*|larkh\w*|lad\sk\w*|saf\snahi|saaf\snahi|thik\snahi|atak\w*|gibberish"
    r"|nonsense|is\soff|ajib|bakwas"
)
_FACE = r"face|chehra|chehera|cehra|muh|munh|mooh|mouth|lips?|hont\w*"
_FACE_BAD = (
    r"crooked|droop\w*|twist\w*|tedha|tedh\w*|terha|tirchh\w*|latak\w*|jhuk\w*|cant\ssmile"
    r"|pulled|drawn\sto"
)
# seizure ---------------------------------------------------------------------------------
_FIT = r"fits?|daura|daure|dora|attack|ataik|jhatk\w*"
_FIT_NOW = (
    r"aa?\sraha|aa?\srahe|aa?\srahi|aya|aa?\sgay\w*|pad\w*|having|right\snow|abhi|lag\w*|started"
    r"|kha\srah\w*"
)
_BODY = r"body|sharir|sarir|badan|hath\spair|hands\sand\slegs|arms\sand\slegs"
_BODY_BAD = r"jerk\w*|twitch\w*|convuls\w*|akad\sgay\w*|akad\sgai"
# bleeding --------------------------------------------------------------------------------
_BLOOD = r"blood|bleed\w*|blid\w*|khun|khoon|rakt|nosebleed\w*|naksir|naksir\w*"
_MUCH = (
    r"bahut|bohot|bahot|jyada|jada|kafi|heavy|heavily|lot|lots|so\smuch|too\smuch|profuse\w*"
    r"|nonstop|continuous\w*"
)
_STOP = r"stop\w*|ruk\w*|band"
# poisoning and overdose ------------------------------------------------------------------
_TOO_MUCH = r"too\smany|too\smuch|way\stoo\smuch|jyada|bahut\ssari|bahut\sjyada|zyada"
_HEAP = (
    r"too\smany|bahut\ssari|a\sbunch\sof|a\shandful\sof|handful\sof|lots\sof|a\slot\sof"
    r"|mutthi\sbhar"
)
_NOT_UNITS = (
    r"(?!\s(?:min\w*|hours?|hrs?|days?|weeks?|months?|years?|yrs?|secs?|seconds|rs|rupees|ml|mg"
    r"|mcg|percent|kg|km|units?)(?![a-z0-9]))"
)
_MED = (
    r"tablets?|tabs?|pills?|goli\w*|dose|doses|medicines?|meds|dava\w*|dawa\w*|syrup|insulin"
    r"|paracetamol|strips?|patt\w*|gums?|lozenges?|capsules?|caps|sirap|sirp|bottle|shishi"
)
_TOOK = (
    r"took|taken|swallowed|ate|eaten|drank|consumed|popped|mixed|kha\s?(?:li|lin|liya|lie|gay\w*|gai)"
    r"|khai|khaya|kha\sgaya|pi\s?(?:li|lin|liya|gay\w*)|piya|nigal\w*|cha?t\s?(?:li|liya)|licked"
)
_SWALLOWED = (
    r"swallowed|ate|eaten|drank|chewed|kha\s?(?:li|lin|liya|lie|gay\w*|gai)|khai|khaya"
    r"|pi\s?(?:li|lin|liya|gay\w*)|piya|nigal\w*"
)
_SOMEONE_ELSES = (
    r"meri|mere|my|mummy|papa|dadi|dada|nani|nana|mom|moms|dad|dads|grandma\w*|grandpa\w*"
    r"|her|his"
)
_POISON = (
    r"detol|dettol|harpic|harpik|phenyl|phinail|finail|fenail|lijol|lizol|kerosin\w*|mitti\ska\stel"
    r"|petrol|diesel|tejab|acid|bleach|blich|jeher|jahar|jehar|johar|pesticide|kitnashak|kitnasak"
    r"|(?:chuh\w*|kid\w*|kide|machh?ar|makhi)\s(?:\S+\s)?mar\w*|rat\s?kill\w*|poison\w*|cleaner"
    r"|likvid|liquid"
)
_WHOLE = r"whole|entire|full|pura|puri|pure|sara|sari|sare|all"
_ACCIDENT = r"by\smistake|galti\sse|galati\sse|accident(?:al)?ly|accidently"
_TIMES = (
    r"[2-9]\s?(?:times|x|baar|bar|guna)|double|twice|do\sbaar|do\sbar|teen\sbaar|teen\sbar"
    r"|tin\sbar"
)
_UNWELL = (
    r"dizzy|giddy|confused|drowsy|sleepy|vomit\w*|sweat\w*|shak\w*|unconscious|faint\w*|chakkar"
    r"|ulti|behosh|ghabrahat|pasina|weak\w*|not\swaking|not\sresponding|neend|breath\w*"
)
_KID = (
    r"child|kid|son|daughter|baby|toddler|bachch?\w*|bacch?\w*|bet[aie]|chhot[aie]|chot[aie]"
    r"|munn[aie]|\d+\s?(?:yo|yr|yrs|year|years|sal|saal)(?:\sold)?"
)
_OXYGEN = (
    r"(?:oxygen|oksijan|oxijan|o2|saturation|spo2|sp02|sat|sats)\s(?:\S+\s){0,4}(?:[3-8][0-9])(?!\d)"
)
_CHOKING = (
    r"(?:gale|gala|throat|sans\s?nali)\s(?:\S+\s){0,3}(?:atak\w*|fas\w*|fans\w*|stuck)"
    r"|stuck\sin\s(?:\S+\s){0,2}throat"
    r"|(?:sikka|coin)\s(?:\S+\s){0,3}(?:atak\w*|fas\w*|nigal\w*|swallow\w*)"
)
_SWELLING = (
    r"(?:tongue|throat|jibh|gala|gale|lips|hont\w*)\s(?:\S+\s){0,3}(?:swell\w*|swollen|suj\w*)"
    r"\s(?:\S+\s){0,6}(?:breath\w*|sans|swas)"
)
_BALANCE = (
    r"lost\s(?:his\s|her\s|my\s)?balance\s(?:\S+\s){0,3}sudden\w*"
    r"|sudden\w*\s(?:\S+\s){0,3}lost\s(?:his\s|her\s)?balance|lakva|lakwa|lakhva"
)
_EPILEPTIC = (
    rf"having\s(?:a\s|an\s)?(?:\S+\s)?(?:epileptic\s)?(?:{_FIT})"
    rf"|had\s(?:a\s|an\s)?(?:epileptic\s)?(?:{_FIT})"
    r"|started\s(?:jerking|convulsing|fitting|seizing)"
    r"|(?:fell|gir\w*)\s(?:\S+\s){0,3}(?:started\s)?(?:jerking|convulsing)"
    r"|(?:epileptic|mirgi)\s(?:\S+\s)?(?:fit|attack|daura|dora)"
)

_W2 = r"(?:\S+\s){0,2}"
_W1 = r"(?:\S+\s)?"


def _seq(*parts: str) -> str:
    """Concepts in this order with word gaps between them: ``_seq(A, _W3, B)`` is
    "A, up to three words, B" (parts alternate concept, gap, concept …)."""
    out = f"(?:{parts[0]})"
    for gap, concept in zip(parts[1::2], parts[2::2], strict=True):
        out += rf"\s{gap}(?:{concept})"
    return out


def _near(category: str, first: str, gap: str, second: str,
          back_gap: str | None = None) -> list[tuple[str, re.Pattern[str]]]:
    """``first`` then ``second`` within ``gap``; with ``back_gap`` also the other order."""
    found = [(category, _p(_seq(first, gap, second)))]
    if back_gap is not None:
        found.append((category, _p(_seq(second, back_gap, first))))
    return found


def _either(first: str, gap: str, second: str) -> str:
    """``first`` … ``second`` or ``second`` … ``first`` (one pattern)."""
    return _seq(first, gap, second) + "|" + _seq(second, gap, first)


CONCEPTS: list[tuple[str, re.Pattern[str]]] = [
    *_near("chest_pain", _CHEST, _W, _CHEST_BAD, _W),
    ("chest_pain", _p(r"heart\s?at+a?c?k\w*|hart\s?at+a?i?c?k\w*|heartattack|dil\s?ka\s?daura")),
    ("chest_pain", _p(r"dil\s(?:\S+\s){0,2}(?:tej|bahut|jor|bhayankar)\s(?:\S+\s)?dard")),
    *_near("breathing", _BREATH, _W3, _BREATH_BAD, _W2),
    ("breathing", _p(r"han(?:f|ph)\w*|ham(?:f|ph)\w*|gasping|choking|choked|dam\sghut\w*")),
    ("breathing", _p(_OXYGEN)),
    ("breathing", _p(r"(?:turning|turned|going|gone|went)\s(?:\S+\s)?(?:blue|nila|nile|nili)")),
    ("breathing", _p(_CHOKING)),
    ("breathing", _p(_SWELLING)),
    ("breathing", _p(r"(?:asthma|asthama|dama|dame|sans|breathing)\s(?:ka\s|ki\s)?"
                     r"(?:attack|ataik|daura)")),
    ("breathing", _p(r"(?:wheez\w*|breath\w*|sans)\s(?:\S+\s){0,4}"
                     r"(?:face|lips?|tongue|throat|muh|chehra)\s(?:\S+\s)?(?:swell\w*|swollen|suj\w*)")),
    *_near("unconscious", _FELL, _W, _NOT_MOVING),
    ("unconscious", _p(r"(?:lying|pade|padi|pada)\s(?:\S+\s){0,2}(?:not\smoving|hil\snahi\w*)")),
    ("unconscious", _p(r"be\s?hosh\w*|hosh\s(?:\S+\s){0,2}nahi|not\sconscious|unconsc\w*"
                       r"|(?:losing|lost|lose|loses)\s(?:\S+\s)?consciousness|out\scold"
                       r"|(?:wont|doesnt|isnt|not)\srespond\w*|keeps?\spassing\sout"
                       r"|(?:cant|cannot|wont|couldnt)\srouse|slumped|(?:koi\s)?harkat\snahi")),
    ("unconscious", _p(r"(?:hilane|shak(?:e|ing)\s(?:him|her))\s(?:\S+\s){0,3}"
                       r"(?:nahi\s(?:uth|hil)\w*|not\s(?:wak|respond)\w*)")),
    *_near("stroke", _SIDE, _W, _LIMB_BAD, _W3),
    ("stroke", _p(_seq(_SUDDEN, _W, _LIMB, _W3, _LIMB_BAD))),
    ("stroke", _p(_seq(_LIMB, _W3, _LIMB_BAD, _W, _SUDDEN))),
    ("stroke", _p(_seq(_LIMB, _W2, _SUDDEN, _W3, _LIMB_BAD))),
    *_near("stroke", _SPEECH, _W3, _SPEECH_BAD),
    *_near("stroke", _FACE, _W3, _FACE_BAD),
    ("stroke", _p(_BALANCE)),
    *_near("seizure", _FIT, _W2, _FIT_NOW),
    ("seizure", _p(_EPILEPTIC)),
    *_near("seizure", _BODY, _W3, _BODY_BAD),
    ("seizure", _p(r"(?:muh|munh|mouth)\s(?:\S+\s){0,2}(?:jhag|foam\w*|froth\w*)")),
    *_near("bleeding", _MUCH, _W2, _BLOOD),
    ("bleeding", _p(_seq(_BLOOD, _W, _NOT, _W2, _STOP))),
    ("bleeding", _p(_seq(_BLOOD, _W, _STOP, _W2, _NOT))),
    *_near("bleeding", _BLOOD, _W2, r"clots?"),
    ("bleeding", _p(r"(?:bleed\w*|bled)\s(?:\S+\s){0,3}(?:for|since)\s(?:an?\s|\d+\s|ek\s)?"
                    r"(?:hour|hours|hrs?|ghant\w*)")),
    ("bleeding", _p(r"(?:khun|blood)\s(?:ki\s)?(?:ulti|vomit\w*)|(?:kali|black)\s(?:ulti|vomit\w*)"
                    r"|coffee\sground\w*")),
    ("bleeding", _p(r"(?:bleed\w*|(?:khun|blood)\s(?:aa|beh|bah|nikal)\w*)\s(?:\S+\s)?"
                    r"(?:too\smuch|so\smuch|a\slot|bahut|jyada|heavily)")),
    ("bleeding", _p(r"(?:blood|khun)\s(?:\S+\s){0,2}(?:from|se)\s(?:his\s|her\s|the\s)?"
                    r"(?:ears?|kan|kaan)|(?:ears?|kan|kaan)\s(?:se|from)\s(?:khun|blood)")),
    ("poisoning", _p(_seq(_TOOK, _W3, _TOO_MUCH, _W3, _MED))),
    ("poisoning", _p(_seq(_TOOK, _W1, _HEAP) + rf"\s{_W1}\w+")),
    ("poisoning", _p(rf"(?:{_TOOK})\s{_W2}(?:[1-9][0-9])(?!\d){_NOT_UNITS}\s\w+")),
    ("poisoning", _p(_seq(_TOO_MUCH, _W3, _MED, _W3, _TOOK))),
    ("poisoning", _p(_seq(f"{_TOOK}|{_MED}", _W, _TIMES, r"(?:\S+\s){0,8}", _UNWELL))),
    ("poisoning", _p(_seq(_TIMES, _W3, _MED, r"(?:\S+\s){0,8}", _UNWELL))),
    ("poisoning", _p(_seq(_KID, _W, _SOMEONE_ELSES, _W3, _MED, _W2, _SWALLOWED))),
    ("poisoning", _p(_seq(_KID, _W, _SWALLOWED, _W3, _SOMEONE_ELSES, _W3, _MED))),
    ("poisoning", _p(_seq(r"[2-9]|do|teen|tin|char|two|three|four", "",
                          r"strips|patte|patta|bottles|shishi", r"(?:\S+\s){0,4}", _TOOK))),
    ("poisoning", _p(_either(_POISON, _W3, _TOOK))),
    ("poisoning", _p(_seq(_WHOLE, _W3, _MED, _W3, _TOOK) + "|"
                     + _seq(_TOOK, _W3, _WHOLE, _W3, _MED))),
    ("poisoning", _p(rf"(?:(?:{_ACCIDENT})\s{_W}(?:{_TOOK})|(?:{_TOOK})\s{_W}(?:{_ACCIDENT}))"
                     rf"\s(?:\S+\s){{0,8}}(?:{_UNWELL})")),
]

SELF_HARM: list[re.Pattern[str]] = [
    _p(r"(?:dont|do\snot|dnt|no\slonger)\swant\sto\s(?:exist|be\salive|live|go\son|wake)"
       r"|(?:dont|do\snot|dnt)\swant\sto\sbe\shere\s(?:anymore|any\smore|in\sthis\sworld)"),
    _p(r"(?:jindagi|jindgi|jindagi|life|jivan|jan)\s(?:\S+\s){0,2}(?:khatam|khatm|khtm|end)"
       r"\s(?:\S+\s){0,2}(?:kar\w*|chaht\w*|dung\w*|lung\w*|karna|karni)"),
    _p(r"(?:khatam|khatm)\s(?:\S+\s)?kar\w*\s(?:ka|ki|ke)\s(?:man|mann|ichha|irada|dil|khayal|khyal)"),
    _p(r"hamesha\ske\sliye\sso\w*|so\s(?:ja\w*)\s(?:\S+\s){0,2}hamesha"),
    _p(r"(?:nahi|nahin|nhi)\s(?:jina|jini|jine)|jina\s(?:\S+\s)?(?:nahi|nahin|nhi)"),
    _p(r"(?:will|gonna|going\sto|want\sto|wanna)\s(?:\S+\s)?(?:take|swallow|eat|have)\s(?:all|every|whole|the\swhole)"
       r"\s(?:\S+\s){0,4}(?:pills|tablets|meds|medicines|goliyan)"),
    _p(r"(?:\d+|all|these|saari|sari)\s(?:\S+\s){0,2}(?:pills|tablets|goliyan)\s(?:\S+\s){0,3}"
       r"(?:kill\s(?:a\s)?(?:me|person|someone|somebody|human|him|her)|die|dead|mar\sja\w*|marne)"),
    _p(r"(?:atmahatya|atmhatya|aatmahatya|khudkushi|suicid\w*)"),
    _p(r"(?:end|ending|take|taking)\s(?:his|her|their)\s(?:own\s)?life|kill\w*\s(?:himself|herself|themselves)"),
    _p(r"(?:marne|mar\sjane)\s(?:ka|ki)\s(?:khayal|khyal|vichar|soch)|khayal\s(?:\S+\s)?marne"),
    _p(r"(?:khud|apne\s?ap)\sko\s(?:\S+\s)?(?:khatam|khatm|mar|nuksan)\w*"),
    _p(r"(?:mujhe|muje|mai|main|me)\s(?:\S+\s)?(?:marna|mar\sjana)\s(?:hai|he|h|chaht\w*)"),
    _p(r"(?:end|ending)\s(?:my|it)\s(?:\S+\s)?(?:life|all)|(?:life|living)\s(?:is\s)?(?:pointless|meaningless)"
       r"|(?:end|ending)\s(?:it\sall|everything)|(?:goodbye|bye)\s(?:everyone|forever|world)"
       r"|(?:my|meri|mera)\s(?:\S+\s)?last\s(?:message|msg|day)"),
    _p(r"nahi\s(?:ji|jee)\s(?:sakt\w*|pa\w*)|(?:ji|jee)\snahi\s(?:sakt\w*|pa\w*)"),
    _p(r"(?:i|to)\send\sit(?:\sall)?\s*$|(?:i|to)\send\sit\s(?:all|tonight|today|now|forever)"
       r"|(?:collect\w*|sav(?:e|ing)|jama|stock\w*)\s(?:\S+\s){0,4}(?:to\s)?(?:end\sit|die|end\smy\slife)"),
    _p(r"(?:take|taking|swallow\w*|kha)\s(?:\S+\s){0,8}(?:painless|peaceful\w*|pain\sfree)"),
    _p(r"(?:jump\w*|kud\w*)\s(?:\S+\s){0,3}(?:in\sfront\sof|under|before|ke\sage|ke\sniche)"
       r"\s(?:a\s|the\s)?(?:train|bus|truck)|(?:train|bus|truck)\s(?:ke\s)?(?:age|niche)\s(?:\S+\s)?kud\w*"),
    _p(r"(?:jine|live|living)\s(?:\S+\s){0,2}(?:wajah|vajah|reason|matlab|maksad)\s(?:\S+\s){0,2}"
       r"(?:nahi|left)|no\sreason\sto\slive"),
    _p(r"(?:should|will|gonna|going\sto|want\sto|might)\s(?:just\s)?end\s(?:it|everything|my\slife)"
       r"|(?:nobody|no\sone|noone)\s(?:would|will)\s(?:\S+\s){0,2}(?:if|when)\si\s"
       r"(?:die\w*|was\sgone|am\sgone)"),
    _p(r"(?:jindagi|jindgi|life|jine)\sse\s(?:thak|tang|pareshan|har)\w*"
       r"|sab\s(?:kuchh?\s)?khatam\skarna\s(?:hai|chaht\w*)|(?:apni\s)?jan\sde\s?(?:d\w*)"),
    _p(r"(?:rope|fanda|phanda|noose)\s(?:\S+\s){0,5}(?:ready|tayar|taiyar|neck|gale|fan|ceiling"
       r"|pankha)|noose"),
    _p(r"(?:duniya|sab)\sse\sdur\s(?:\S+\s){0,3}ja\w*|hamesha\ske\sliye\s(?:chala|chali)\sja\w*"),
]
# "I don't want to do this anymore", "I can't do this anymore": said in a pharmacy chat it may
# be about the booking or about living, and the words can't tell which. Read as a possible
# self-harm signal (a caring reply and a care-team call cost less than a missed one) unless
# the message names the task it is about ("… this booking anymore", "…, cancel it").
VAGUE_SELF_HARM = _p(r"(?:dont|do\snot|dnt)\swant\sto\sdo\s(?:this|it|any\sof\sthis)\s"
                     r"(?:anymore|any\smore)|(?:cant|cannot|can\snot)\sdo\s(?:this|it)\s"
                     r"(?:anymore|any\smore)")
SELF_HARM.append(VAGUE_SELF_HARM)
TASK_NAMED = _p(r"book\w*|order\w*|cancel\w*|form|test|appointment|consult\w*|doctor|call"
                r"|otp|code|pay\w*|refill|reorder|deliver\w*|chat|bot|app|website|questions?"
                r"|process|regist\w*|prescription|lab|sample|medicines?|tablets?|dava\w*|dawa\w*")

# Weak on their own ("saans ki problem"): an emergency only with a word of severity in the
# clause (bot/safety.py's intensifiers: "bahut", "very", "suddenly" …).
WEAK_CONCEPTS: list[tuple[str, re.Pattern[str]]] = [
    ("breathing", _p(rf"(?:{_BREATH})\s(?:lene\s)?(?:\S+\s){{0,2}}"
                     r"(?:problem|dikkat|diqat|taklif|takleef|pareshani|issue|difficulty)")),
    ("breathing", _p(r"(?:sans|breath)\s(?:\S+\s){0,2}(?:phul\w*|fool\w*)|breathless\w*"
                     r"|short(?:ness)?\sof\sbreath")),
]
# Figures of speech: "waiting for the delivery I'll die" is not a statement of intent.
FIGURATIVE = _p(r"karte\skarte|intejar|intezar|wait\w*|delivery|refund|laugh\w*|has\s?ke|hans\w*")
WEAK_SELF_HARM = _p(r"mar\sjaung\w*|mar\sjaun|mar\sjau|die|dying|dead")
