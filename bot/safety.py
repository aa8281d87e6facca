"""Is this message a medical emergency or a self-harm statement? (English, Hinglish, Hindi)

Rule and lexicon based, pure Python, no model: :func:`classify` returns a :class:`Verdict`
(``kind`` = ``"emergency"`` / ``"self_harm"`` / ``"none"``, the matched ``category`` and the
words that matched). It runs before intent handling (components/safety_classifier.py) so an
emergency is answered with what to do now whatever the NLU model thinks.

How a message is read:

* normalised: lower case, apostrophes dropped ("can't" → "cant"), punctuation → spaces,
  Devanagari nukta and chandrabindu folded ("ज़हर" = "जहर", "साँस" = "सांस");
* cut into clauses (at . , ; ! ? "but" "lekin" "par" …) so that context stays local;
* each category has phrase patterns (English, Hinglish, Devanagari); a match counts unless
  - it names a medicine, not a symptom: a medicine word follows it ("chest pain tablets",
    "seene ke dard wali goli", "seizure medicine", "मिर्गी की दवा"), or it follows
    "medicine for" ("deriphyllin for breathlessness");
  - its clause is about the past ("had a heart attack last year", "pichle saal … tha",
    "2 years ago") and says nothing of now;
  - it is negated just before ("no chest pain", "not a stroke");
  - it is a weak sign on its own ("breathless" without "very", "suddenly", "getting worse"…).
* self-harm wins over emergency (the reply then covers both).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot import safety_concepts, safety_model

EMERGENCY, SELF_HARM, NONE = "emergency", "self_harm", "none"

# Categories (verdict.category)
CHEST_PAIN = "chest_pain"
BREATHING = "breathing"
UNCONSCIOUS = "unconscious"
STROKE = "stroke"
SEIZURE = "seizure"
BLEEDING = "bleeding"
POISONING = "poisoning"
OVERDOSE = "overdose"
SELF_HARM_CATEGORY = "self_harm"


@dataclass(frozen=True)
class Verdict:
    """What the classifier decided about one message."""

    kind: str = NONE                 # EMERGENCY, SELF_HARM or NONE
    category: str | None = None      # e.g. CHEST_PAIN; SELF_HARM_CATEGORY for self-harm
    evidence: str | None = None      # the normalised words that matched
    categories: tuple[str, ...] = ()  # every category that matched (emergency ones too)
    score: float | None = None       # the model's P(emergency or self-harm), when it ran

    @property
    def alarm(self) -> bool:
        return self.kind != NONE


# -- normalisation ----------------------------------------------------------------------
_DEVA = "\u0900-\u097f"
_NUKTA, _CHANDRABINDU, _ANUSVARA = "\u093c", "\u0901", "\u0902"
_APOSTROPHES = re.compile(r"['’`´]")
_NON_WORD = re.compile(rf"[^a-z0-9{_DEVA}]+")
_CLAUSE_SPLIT = re.compile(
    r"[.,;:!?…|\n()\[\]]+|\s(?:but|though|although|lekin|magar|par|ab to|however)\s|[।॥]"
)


def normalise(text: str) -> str:
    """Lower case, folded Devanagari, words separated by single spaces."""
    text = unicodedata.normalize("NFC", text).lower()
    text = unicodedata.normalize("NFD", text).replace(_NUKTA, "")
    text = unicodedata.normalize("NFC", text).replace(_CHANDRABINDU, _ANUSVARA)
    text = _APOSTROPHES.sub("", text)
    return _NON_WORD.sub(" ", text).strip()


def _clauses(text: str) -> list[str]:
    raw = unicodedata.normalize("NFC", text).lower()
    parts = _CLAUSE_SPLIT.split(" " + raw + " ")
    return [n for n in (normalise(p) for p in parts) if n]


def _p(pattern: str) -> re.Pattern[str]:
    """A phrase pattern bounded by word edges (Devanagari marks count as word characters)."""
    return re.compile(rf"(?<![a-z0-9{_DEVA}])(?:{pattern})(?![a-z0-9{_DEVA}])")


# -- lexicons ---------------------------------------------------------------------------
_CHEST = r"(?:chest|chset|chst|chect|cheast)"
_PAIN = r"(?:pain|pian|pains|paining|tightness|tight|heaviness|heavy|pressure|discomfort)"
_SEENA = r"(?:seene|sine|seena|sina|seeney|chhati|chhaati|chati|chest)"
_HI_IN = r"(?:mein|me|main|mai|mei|pe|par|ka|ke|में|का|के)"
_INTENS_HI = r"(?:bahut|bohot|bohat|bahot|tez|tej|zor|jor|zyada|jyada|zada|bhayankar)"

_PATTERNS: dict[str, list[str]] = {
    CHEST_PAIN: [
        rf"{_CHEST}\s(?:\w+\s)?{_PAIN}",
        rf"{_PAIN}\sin\s(?:his\s|her\s|my\s|the\s)?{_CHEST}",
        rf"crushing\s(?:\w+\s)?{_PAIN}",
        r"heart\s?attack|cardiac\sarrest",
        r"pain\s(?:\w+\s){0,3}(?:left|l)\sarm|left\sarm\s(?:\w+\s)?(?:pain|numb\w*)"
        r"|(?:left|baayan|baaya|bayan|baya)\s(?:haath|hath|bazu|baazu)\s(?:\w+\s)?(?:sunn|sun|dard)",
        rf"(?:clutching|holding|gripping|pressing)\s(?:his\s|her\s|my\s|the\s)?{_CHEST}",
        rf"{_SEENA}\s(?:{_HI_IN}\s)?(?:{_INTENS_HI}\s)?(?:\w+\s)?dard",
        r"dil\s(?:ka\s)?daura",
        r"(?:सीने|छाती)\s(?:\S+\s){0,3}दर्द",
        r"दिल\s(?:का\s)?दौरा|हार्ट\sअटैक",
    ],
    BREATHING: [
        r"(?:can\s?not|cant|cannot|unable\sto|not\sable\sto|struggling\sto|hard\sto|trouble)"
        r"\s(?:\w+\s)?breath(?:e|ing)?",
        r"difficulty\s(?:in\s)?breath(?:e|ing)|breathing\s(?:difficulty|problem\snow)",
        r"(?:not|stopped|isnt|is\snot)\sbreath(?:e|ing)",
        r"gasping|choking|(?:lips?|face|nails)\s(?:are\s|is\s)?(?:\w+\s)?(?:blue|bluish)|blue\slips",
        r"breathing\s(?:very|too|really|so)\s(?:fast|rapidly|hard|heavily|slowly|slow)",
        r"saa?ns\s(?:\w+\s)?(?:nahi|nahin|nhi|na)\s(?:le|aa|aa\srahi|ho|chal)",
        r"saa?ns\s(?:lene\s)?(?:mein|me|mai|main)\s(?:\w+\s)?"
        r"(?:takleef|taklif|takleef|dikkat|diqqat|problem|pareshani|pareshaani)",
        r"saa?ns\s(?:ruk|band|atak|ukhad)",
        r"dam\sghut",
        r"सांस\s(?:नहीं|न)\s(?:ले|आ|चल|हो)|सांस\sलेने\sमें\s(?:\S+\s){0,2}(?:तकलीफ|दिक्कत|परेशानी)",
        r"सांस\s(?:रुक|बंद|अटक|उखड)\S*|दम\sघुट\S*|सांस\s(?:बहुत\s)?(?:तेज|धीमी)",
    ],
    UNCONSCIOUS: [
        r"unconscious|unconcious|unconsious|unresponsive|not\sresponding|no\sresponse",
        r"(?:went|gone|going|is)\slimp|floppy|hosh\s(?:\S+\s)?(?:kho|gum|ud)\w*|होश\s(?:\S+\s)?खो\S*",
        r"(?:not|wont|cant|isnt|wouldnt|doesnt|didnt)\s(?:\w+\s)?wak(?:e|ing)\s?up",
        r"passed\sout|blacked\sout|fainted|faint\sho|collapsed|no\spulse",
        r"be\s?hosh|hosh\s(?:\w+\s)?(?:nahi|nahin|nhi|na)|uth\snahi\s(?:raha|rahi|rahe)",
        r"बेहोश|होश\s(?:\S+\s)?नहीं|उठ\sनहीं",
    ],
    STROKE: [
        r"(?<!sun\s)(?<!heat\s)(?<!sun)(?<!heat)stroke",
        r"face\s(?:is\s)?(?:drooping|droop|dropped|twisted|tilted|deviated|crooked)",
        r"(?:slurred|slurring|unclear|garbled)\sspeech"
        r"|speech\s(?:\w+\s){0,2}(?:slurred|slurring|unclear|garbled|not\sclear)",
        r"(?:mouth|face|lips?)\s(?:\w+\s)?(?:crooked|twisted|deviated|drooping|droopy)",
        r"suddenly\s(?:cannot|cant|can\snot|unable\sto)\s(?:speak|talk|move)",
        r"para?ly(?:sis|sed|zed)|lakwa|laqwa|lakva",
        r"(?:one|left|right|half)\sside\s(?:of\s)?(?:the\s|his\s|her\s)?(?:body|face)\s(?:\w+\s)?"
        r"(?:not\smoving|numb|weak|paraly\w*|dead|not\sworking|drooping)",
        r"(?:sudden|suddenly)\s(?:\S+\s){0,4}(?:severe\s|worst\s)?headache|worst\sheadache",
        r"(?:sudden|suddenly)\s(?:\S+\s){0,2}(?:lost|losing|loss\sof|cant|cannot)\s(?:\S+\s)?"
        r"(?:vision|sight|see)|(?:vision|sight)\s(?:\S+\s)?(?:suddenly|achanak)",
        r"(?:cannot|cant|can\snot|unable\sto|not\sable\sto)\s(?:speak|talk)\s(?:properly|clearly)",
        r"aadh[ae]\s(?:sharir|shareer|sarir|badan|body|hisse)\s(?:\w+\s)?(?:kaam\snahi|sunn|nahi\schal)",
        r"आधा\s(?:शरीर|बदन)",
        r"(?:muh|munh|mooh|chehra|chehera|face)\s(?:\w+\s)?(?:tedha|terha|tirchha)",
        r"bol\snahi\spa\s(?:raha|rahi|rahe)|zuba+n\sladkhada",
        r"लकवा|टेढा|बोल\sनहीं\sपा\S*|बोलने\sमें\s(?:\S+\s)?(?:दिक्कत|तकलीफ|परेशानी)",
    ],
    SEIZURE: [
        r"seizures?|seizing|seziure|siezure|convulsions?|convulsing|fitting",
        r"having\s(?:a\s)?fits?|(?:shaking|jerking)\sall\sover",
        r"(?:foaming|frothing)\s(?:at|from)\s(?:the\s|his\s|her\s)?mouth|(?:muh|munh)\sse\sjhaag",
        r"(?<!dil\s)(?<!dil\ska\s)daur[ae]\s(?:\w+\s)?(?:pad|padh|pada|padna|padne|aa)",
        r"jhatk[ae]\s(?:\w+\s)?(?:aa|lag)|mirgi\ska\sdaura",
        r"(?<!दिल\sका\s)दौर[ाे]\s(?:\S+\s)?(?:पड|आ)\S*|झटके|मुंह\sसे\sझाग",
    ],
    BLEEDING: [
        r"(?:lot\sof|lots\sof|heavy|heavily|severe|profuse|profusely|too\smuch|excessive)"
        r"\s(?:\w+\s)?(?:bleeding|bleed|blood)",
        r"bleed(?:ing|s)?\s(?:\w+\s)?(?:heavily|a\slot|badly|profusely|wont\sstop|not\sstop"
        r"|nonstop)",
        r"blood\s(?:\w+\s)?(?:wont|doesnt|does\snot|not|isnt|is\snot)\s(?:\w+\s)?stop",
        r"(?:vomiting|vomited|coughing|coughing\sup|throwing\sup)\sblood|blood\svomit",
        r"(?:blood|bleeding|khoon)\s(?:\S+\s)?(?:gushing|spurting|pouring|squirting)|deep\scut|(?:so\smuch|lot\sof|too\smuch|lots\sof)\sblood|blood\severywhere",
        r"cut\s(?:his|her)\s(?:wrist|wrists|throat)|(?:wrist|nas)\s(?:\w+\s)?(?:kaat|kat)\w*",
        r"(?:khoon|khun|blood)\s(?:\w+\s)?(?:beh|bah|nikal)\s(?:raha|rahi|rha|gaya)",
        r"(?:khoon|khun)\s(?:\w+\s)?(?:ruk|band)\s(?:\w+\s)?(?:nahi|nahin|nhi)"
        r"|(?:khoon|khun)\ski\sulti",
        r"खून\s(?:\S+\s)?(?:रुक|बंद)\s(?:\S+\s)?नहीं",
        r"खून\s(?:\S+\s)?(?:बह|निकल)\S*|खून\sकी\sउल्टी|बहुत\s(?:सारा\s)?खून",
    ],
}

_POISON_NOUN = (
    r"poison|pesticide|insecticide|toilet\scleaner|harpic|phenyl|phenol|kerosene|bleach"
    r"|(?:toilet|bathroom|battery)\s?acid|tezaab|tezab|tejab|rat\s?kill\w*|naphthalene|keetnashak|keet\snashak|zeher|zehar|jahar|zahar"
    r"|(?:floor|toilet|glass|drain|bathroom|kitchen|phenyl)\s?cleaner|dettol|savlon"
    r"|mitti\s(?:ka|ke)\stel|मिट्टी\sका\sतेल|lizol|lysol|colin|hair\sdye|detergent|baygon|hit\sspray|paint\sthinner|petrol"
    r"|diesel|mosquito\s(?:repellent|liquid|coil)|all\sout\s(?:liquid|refill)|good\sknight|battery|button\scell"
    r"|(?:keede|kide|keedon|chuhe|chuha|choohe|machhar)\s(?:maarne|marne|maar|mar)\w*"
    r"|जहर|कीटनाशक|फिनाइल|तेजाब|(?:कीडे|चूहे|मच्छर)\sमार\S*"
)
_INGEST = (
    r"drank|drunk|swallowed|swallow|ate|eaten|consumed|took|taken|take|taking|popped|chewed"
    r"|inhaled"
    r"|kha\s?(?:li|liya|liye|gaya|gayi|gaye|lena|lun|lunga|lungi|khaun)|khaa\s?li|khayi|khaya"
    r"|pi\s?(?:li|liya|gaya|gayi|gaye)|pee\s?(?:li|liya)|piya|nigal\s?(?:li|liya|gaya|gayi)?"
    r"|खा\s?(?:ली|लिया|लिए|गया|गई|गयी)|पी\s?(?:ली|लिया|गया|गई)|निगल"
)
_PILLS = (
    r"tablets?|tabs?|pills?|goli|goliyan|goliya|golian|strips?|patta|patte|bottle|shishi"
    r"|capsules?|syrup|insulin|गोली|गोलियां|गोलियाँ|शीशी|बोतल|पत्ता|दवा|goliyan|patti|davai|dava"
)
# "the whole strip" is alarming with any verb; "all my tablets" only once swallowed ("take all
# my tablets on time" is an instruction).
_WHOLE = r"whole|entire|full\s(?:strip|bottle|pack)|poori|puri|pura|poora|पूरी|पूरा"
_ALL = r"all|saari|sari|sara|सारी|सारा|सारे"
_INGEST_PAST = (
    r"drank|drunk|swallowed|ate|eaten|consumed|took|taken|popped|overdosed|chewed"
    r"|kha\s?(?:li|liya|liye|gaya|gayi|gaye)|khayi|khaya|khaa\s?li|pi\s?(?:li|liya|gaya|gayi)"
    r"|pee\s?(?:li|liya)|piya|nigal\s?(?:li|liya|gaya|gayi)"
    r"|खा\s?(?:ली|लिया|लिए|गया|गई|गयी)|पी\s?(?:ली|लिया|गया|गई)|निगल\s?(?:ली|लिया)"
)
_CHILD = (
    r"child|kid|son|daughter|baby|toddler|year\sold|yr\sold|bachch?[ae]|bacch?[ae]|beta|bete"
    r"|beti|बच्चे|बच्चा|बेटे|बेटी|बेटा"
)
_SYMPTOM_NOW = (
    r"shaking|confused|drowsy|sleepy|vomiting|not\swaking|unconscious|fainted|sweating"
    r"|behosh|ulti|chakkar|dizzy|giddy|ghabrahat|pasina|unresponsive"
)

_POISONING_PATTERNS = [
    rf"(?:{_INGEST})\s(?:\S+\s){{0,4}}(?:{_POISON_NOUN})",
    rf"(?:{_POISON_NOUN})\s(?:\S+\s){{0,3}}(?:{_INGEST})",
    r"(?<!food\s)poisoning|poisoned|snake\s?bite|bitten\sby\sa\ssnake|scorpion\s(?:sting|bite)",
    r"saa?np\sne\skaat|सांप\sने\sकाट",
]
_OVERDOSE_PATTERNS = [
    r"over\s?dose[ds]?|overdosing|od\s?ed|odd\b",
    rf"(?:{_INGEST})\s(?:\S+\s){{0,5}}(?:{_WHOLE})\s(?:\S+\s){{0,3}}(?:{_PILLS})",
    rf"(?:{_WHOLE})\s(?:\S+\s){{0,3}}(?:{_PILLS})\s(?:\S+\s){{0,4}}(?:{_INGEST})",
    rf"(?:{_INGEST_PAST})\s(?:\S+\s){{0,5}}(?:{_ALL})\s(?:\S+\s){{0,3}}(?:{_PILLS})",
    rf"(?:{_ALL})\s(?:\S+\s){{0,3}}(?:{_PILLS})\s(?:\S+\s){{0,2}}(?:{_INGEST_PAST})",
    rf"(?:{_INGEST_PAST})\s(?:like\s|around\s|about\s|almost\s|nearly\s|over\s|more\sthan\s)?"
    rf"(?:[5-9]|[1-9][0-9]+)\s(?:\S+\s){{0,4}}(?:{_PILLS})",
    rf"(?:took|taken|swallowed|ate|popped|kha\s?li|kha\s?liya|khayi|khaya|खा\s?ली|खा\s?लिया)"
    rf"\s(?:\S+\s){{0,3}}(?:[5-9]|[1-9][0-9]+)\s(?:\S+\s){{0,2}}(?:{_PILLS})",
    rf"(?:[5-9]|[1-9][0-9]+)\s(?:\S+\s){{0,2}}(?:{_PILLS})\s(?:\S+\s){{0,2}}"
    rf"(?:kha\s?li|kha\s?liya|kha\s?gaya|kha\s?gayi|khayi|khaya|खा\s?ली|खा\s?लिया)",
    rf"(?:{_CHILD})\s(?:\S+\s){{0,4}}(?:swallowed|chewed|ate|eaten|drank|kha\s?(?:li|liya|gaya|gayi)"
    rf"|pi\s?(?:li|liya)|खा\s?(?:ली|लिया|गया)|पी\s?(?:ली|लिया)|निगल)\s(?:\S+\s){{0,5}}"
    rf"(?:{_PILLS}|medicine|medicines|dawai|dawa)",
    rf"(?:double|twice|extra|[2-9]\stimes)\s(?:\S+\s){{0,10}}(?:{_SYMPTOM_NOW})",
    rf"(?:{_CHILD})\s(?:\S+\s){{0,6}}(?:{_PILLS}|medicine|medicines|dawai|dawa)\s(?:\S+\s){{0,2}}"
    r"(?:kha\s?(?:li|liya|gaya|gayi|liye)|pi\s?(?:li|liya)|खा\s?(?:ली|लिया|गया|गई)|पी\s?(?:ली|लिया)"
    r"|swallowed|ate|eaten)",
    rf"(?:बहुत\sसारी|bahut\ssaari|bahut\ssari|bahut\sjyada|bahut\szyada)"
    rf"\s(?:\S+\s)?(?:{_PILLS})\s(?:\S+\s){{0,2}}(?:{_INGEST})",
    r"(?:took|taken|swallowed|ate|popped|kha\s?li|kha\s?liya|khaya|खा\s?ली|खा\s?लिया)"
    r"\s(?:\S+\s){0,2}(?:[2-9]|[1-9][0-9]+|two|three|four|five|do|teen|char|दो|तीन)"
    r"\s(?:strips|patte|bottles|shishi|पत्ते|शीशी)",
]

_SELF_HARM_PATTERNS = [
    r"kill(?:ing)?\s(?:my\s?self|me\snow)|end(?:ing)?\s(?:my\s(?:own\s)?life|it\sall|my\slife)",
    r"take\smy\s(?:own\s)?life|suicid\w*|sucid\w*|suiside\w*",
    r"(?:want|wanna|wish|going|ready|deserve|like|take|takes|it\stake)\s(?:\w+\s)?to\sdie",
    r"wanna\sdie|want\sto\sdie|wish\si\swas\sdead|wish\si\swere\sdead|better\soff\sdead",
    r"(?:dont|do\snot|dnt)\swant\sto\s(?:live|be\salive|wake\sup)",
    r"no\s(?:point|reason)\s(?:in\s)?(?:living|to\slive)|not\sworth\sliving|tired\sof\sliving",
    r"disappear\sforever|jump(?:ing)?\s(?:off|from)\s(?:\w+\s)?(?:terrace|roof|building|bridge"
    r"|balcony|floor)|(?:saved|saving|collected|collecting|stockpil\w*)\s(?:up\s)?(?:my\s|all\s)?"
    r"(?:\w+\s)?(?:pills|tablets)|(?:fastest|painless|easiest|quickest|best)\sway\sto\sdie",
    r"(?:life|living)\s(?:is\s)?not\sworth\s(?:it|living)|end\severything|hate\smyself\s(?:\w+\s)?"
    r"(?:die|dead|end)",
    r"(?:im|i\sam|i\swill|ill|going\sto|gonna|want\sto)\s(?:\w+\s)?(?:swallow|eat)\s"
    r"(?:all|every|the\swhole|whole)\s(?:of\s)?(?:my\s|the\s)?(?:\w+\s)?(?:pills|tablets|medicines|meds)",
    r"(?:im|i\sam|i\swill|ill|going\sto|gonna|want\sto)\s(?:\w+\s)?(?:take|have)\s"
    r"(?:all|every|the\swhole|whole)\s(?:of\s)?(?:my\s|the\s)?(?:\w+\s)?(?:pills|tablets|medicines|meds)"
    r"\s(?:\S+\s){0,2}(?:at\sonce|in\sone\sgo|tonight|right\snow|and\s(?:die|sleep|end))",
    r"(?:maximum|max|how\smany|how\smuch)\s(?:\S+\s){0,5}(?:would|will|to|can|could)\s(?:kill|die)",
    r"(?:no|any|dont\ssee\sa|dont\ssee\sany)\sreason\sto\s(?:\w+\s)?(?:liv\w*|go\son\sliv\w*)"
    r"|(?:cut|slit)\smy\s(?:wrist|wrists|nas)",
    r"jeene\ski\s(?:himmat|ichha|ichchha|icchha|wajah|vajah|umeed)\s(?:\w+\s)?(?:nahi|nahin|nhi)",
    r"(?:saari|sari|sab)\s(?:\S+\s){0,3}(?:goliyan|goli|tablets|pills)\s(?:\S+\s)?kha\s(?:lunga|lungi)",
    r"(?:सारी|सब)\s(?:\S+\s){0,3}(?:गोलियां|गोली|दवा|दवाई)\s(?:\S+\s)?खा\s(?:लूंगा|लूंगी|लूं)"
    r"|जीने\sकी\s(?:हिम्मत|इच्छा|वजह)\s(?:\S+\s)?नहीं",
    r"(?:marne|marna|mar\sjane|maut)\s(?:\S+\s)?(?:mann|man|dil|ichha|irada)\s(?:\S+\s)?(?:kar|ho|hai)\w*"
    r"|(?:mujhe|muje|mujhko|mai|main)\s(?:\S+\s)?(?:marna|mar\sjana|mar\sjaana)\s(?:hai|he|h)",
    r"(?:मुझे|मैं)\s(?:\S+\s)?(?:मरना|मर\sजाना)|मरने\sका\s(?:मन|दिल)|जीना\sनहीं\sचाहत\S*",
    r"(?:end|ending|finish)\s(?:things|it|everything|myself)\s(?:\S+\s)?(?:tonight|today|now|forever)"
    r"|(?:sleep|sleeping)\sforever|(?:planning|plan|going|want|wanna)\s(?:to\s)?(?:end|finish)\s"
    r"(?:things|it|everything|my\slife)",
    r"hang(?:ing)?\smyself|(?:phansi|fansi|faansi|phaansi)\s(?:\S+\s)?(?:laga|lagaa|lagana|lagane|lagaun)\w*"
    r"|फांसी|(?:kaat|kat|काट)\s(?:lunga|lungi|loonga|loongi|dunga|dungi|लूंगा|लूंगी)",
    r"zinda\s(?:\S+\s)?(?:nahi|nahin|nhi)\s(?:rehna|rahna|rehena)|जिंदा\s(?:\S+\s)?नहीं\sरहना"
    r"|मरने\sके\s(?:अलावा|सिवा)|marne\ske\s(?:alawa|alava|siva|siwa)",
    r"(?:खुद|अपने\sआप)\sको\s(?:\S+\s)?नुकसान|(?:khud|apne\saap)\sko\s(?:\S+\s)?nuks[a]+n",
    r"goodbye\s(?:letter|letters|note|notes|message)|suicide\snote|(?:would|will)\sbe\sfatal"
    r"|fatal\s(?:amount|quantity)",
    r"(?:better|happier)\s(?:off\s)?(?:without\sme|if\si\s(?:was|were)\sgone|if\si\sdie\w*)"
    r"|end\smy\s(?:suffering|pain|misery)",
    r"never\swake\sup|(?:hurt|harm|hurting|harming|cutting|cut)\smy\s?self",
    r"(?:nobody|no\sone|noone)\s(?:will|would)\s(?:miss|care)",
    r"lethal\sdose|fatal\sdose|how\smany\s(?:\S+\s){0,4}(?:to\sdie|to\skill)",
    r"(?:plan|planning|going|want|wanna|thinking)\s(?:of\s|to\s|about\s)?overdos\w*",
    r"jeena\s(?:\w+\s)?(?:nahi|nahin|nhi)|jeene\ska\s(?:koi\s)?(?:matlab|fayda|mann|man|irada)"
    r"\s(?:\w+\s)?(?:nahi|nahin|nhi)",
    r"mar\s(?:jaana|jana|jaun|jau|jaunga|jaungi)|marna\s(?:chahta|chahti|hai)",
    r"(?:apni\s)?jaan\s(?:dena|de\sdu|de\sdunga|de\sdungi|le\slunga|le\slungi)",
    r"khud\s?kushi|khudkhushi|aatm\s?hatya|atm\s?hatya|atmahatya",
    r"(?:apne\saap|khud|mujhe)\sko\s(?:\w+\s)?(?:khatam|khatm|maar)",
    r"sab\s(?:kuch\s)?(?:khatam|khatm)\skar\s(?:\w+\s)?(?:dena|dunga|dungi|lunga|lungi|du|doon)",
    r"neend\sse\s(?:kabhi\s)?(?:na|nahi)\suth",
    r"जीना\s(?:\S+\s)?नहीं|आत्महत्या|खुदकुशी|मर\sजाना|मरना\sचाहत|जान\sदे(?:ना|\sदू)",
    r"(?:खुद|अपने\sआप)\sको\s(?:\S+\s)?(?:खत्म|मार)|सब\s(?:कुछ\s)?खत्म\sकर\S*\s(?:\S+\s)?चाहत\S*",
    r"(?:जिंदगी|जिन्दगी)\sसे\sतंग|(?:zindagi|jindagi)\sse\s(?:tang|pareshan)",
]

# Concepts that co-occur: a body site or function and a word of acute distress within a few
# words, in any order. Broader than the phrases above, for wording they don't list.
_W = r"(?:\S+\s){0,4}"
_CHEST_SITE = r"chest|chset|seene|seena|sine|sina|chhati|chati|सीने|सीना|छाती"
_CHEST_DISTRESS = (
    r"pain\w*|hurts?|hurting|ache|aching|pressure|tight\w*|heavy|heaviness|squeez\w*|crush\w*"
    r"|dard|dabav|dabaav|dabao|bhari|bhaari|jakdan|jakad\w*|दर्द|दबाव|भारी|जकड\S*"
)
_BREATH = r"breath\w*|wheez\w*|saa?ns|सांस"
_BREATH_DISTRESS = (
    r"cant|cannot|hardly|barely|struggl\w*|gasp\w*|badly|severe\w*|fast|rapid\w*|ruk\w*"
    r"|atak\w*|ukhad\w*|tez|tej|तेज|रुक\S*|अटक\S*|उखड\S*"
)
_LIPS_BLUE = (
    r"(?:lips?|hont|honth|होंठ|nails?)\s(?:\S+\s){0,2}(?:blue|bluish|neel[ae]|नीले|नीला)"
)
_NO_ANSWER = (
    r"behoshi|(?:jawab|response|reply)\s(?:\S+\s)?(?:nahi|nahin|nhi)\s(?:de|mil|aa)\w*"
    r"|not\s(?:reacting|waking|moving\sor\sresponding)|जवाब\s(?:\S+\s)?नहीं"
)
_LIMB_DOWN = (
    r"(?:cant|cannot|can\snot|unable\sto|not\sable\sto)\s(?:lift|move|raise|feel)\s(?:his\s|her\s|my\s)?"
    r"(?:\w+\s)?(?:arm|leg|hand|side)|slurr\w*|(?:face|mouth|muh|munh|chehra)\s(?:\S+\s){0,3}"
    r"(?:dropped|drooped|fallen|fell|latak\w*|tedh\w*)|(?:haath|hath|pair|pao)\s(?:\S+\s)?"
    r"(?:nahi|nhi)\s(?:uth|hil|chal)\w*|(?:walk|stand)\s(?:straight|properly)\s(?:\S+\s)?suddenly"
    r"|suddenly\s(?:\S+\s){0,3}(?:cant|cannot|unable\sto)\s(?:walk|stand|see)"
)
_SEIZING = r"convuls\w*|(?:eyes|aankhen|aankh)\s(?:\S+\s)?(?:rolled|rolling|upar|ulat\w*)"
_CONCEPTS: list[tuple[str, str]] = [
    (CHEST_PAIN, rf"(?:{_CHEST_SITE})\s{_W}(?:{_CHEST_DISTRESS})"),
    (CHEST_PAIN, rf"(?:{_CHEST_DISTRESS})\s(?:\S+\s){{0,2}}(?:{_CHEST_SITE})"),
    (BREATHING, rf"(?:{_BREATH})\s{_W}(?:{_BREATH_DISTRESS})"),
    (BREATHING, rf"(?:{_BREATH_DISTRESS})\s(?:\S+\s){{0,2}}(?:{_BREATH})"),
    (BREATHING, _LIPS_BLUE),
    (UNCONSCIOUS, _NO_ANSWER),
    (STROKE, _LIMB_DOWN),
    (SEIZURE, _SEIZING),
]

_COMPILED: list[tuple[str, re.Pattern[str]]] = [
    (category, _p(pattern)) for category, patterns in _PATTERNS.items() for pattern in patterns
]
_COMPILED += [(POISONING, _p(p)) for p in _POISONING_PATTERNS]
_COMPILED += [(category, _p(pattern)) for category, pattern in _CONCEPTS]
_COMPILED += [(OVERDOSE, _p(p)) for p in _OVERDOSE_PATTERNS]
_SELF_HARM = [_p(p) for p in _SELF_HARM_PATTERNS]

# Weak on their own: count only with an intensifier or another sign in the clause.
_WEAK = _p(r"breathless\w*|brethless\w*|short(?:ness)?\sof\sbreath|saa?ns\sphool\w*")
_INTENSIFIER = _p(
    r"very|severe|severely|badly|extremely|suddenly|sudden|worse|worsening|getting\sworse"
    r"|cant|cannot|bahut|bohot|bahot|zyada|jyada|tez|achanak|अचानक|बहुत|now|right\snow"
)

# A medicine word right after a symptom (or after "ki", "ke", "wali", "की" …) makes it the
# name of a medicine: "chest pain tablets", "seene ke dard wali goli", "मिर्गी की दवा".
_MEDICINE_AFTER = re.compile(
    r"^(?:(?:ki|ke|ka|wali|wala|wale|vali|की|के|का|वाली|वाला)\s)?(?:wali\s|वाली\s)?"
    r"(?:tablets?|tabs?|pills?|medicines?|medication|meds|drugs?|capsules?|spray|inhaler|syrup"
    r"|refill|prescription|dawai|dawaai|dawa|dawaiyan|davai|dava|davaiyan|goli|goliyan|wali"
    r"|wala|wale|vali|vala|vale|pump|cream|ointment|gel|patches|machine"
    r"|दवा|दवाई|गोली|गोलियां|वाली|वाला)(?![a-z0-9\u0900-\u097f])"
)
# A condition named as the topic of a booking: "seizure follow up", "stroke recovery".
_TOPIC_AFTER = re.compile(
    r"^(?:follow\s?up|followup|check\s?up|checkup|review|recovery|history|treatment|rehab\w*"
    r"|specialist|clinic|test|report|risk|survivor|patients?|ward|prevention)(?![a-z0-9])"
)
_MEDICINE_FOR = _p(
    r"(?:tablets?|medicines?|meds|inhaler|spray|syrup|refill|dawai|dawa|davai|dava|goli"
    r"|reorder|order|cream|ointment|bandages?|kit|gauze|dressing)"
    r"\s(?:\S+\s){0,3}(?:for|ke\sliye)\s(?:\S+\s){0,3}$"
)
_PAST = _p(
    r"last\s(?:week|month|year|time|night\sbut)|\d+\s(?:years?|yrs?|months?|weeks?|days?)\sago"
    r"|years?\sago|months?\sago|weeks?\sago|in\s(?:19|20)\d\d|history\sof|used\sto"
    r"|pichh?le\s(?:saal|mahine|hafte|sal)|(?:aaya|aya|pada|padi|hua|hui|gaya|gayi)\stha"
    r"|पिछले|साल\sपहले|था|थी|थे|bedridden|after\s(?:his|her|my|the)\s(?:stroke|heart\sattack|surgery"
    r"|bypass|fall|accident)|पहले|pehle|pahle|ab\sband|अब\sबंद|recovered\sfrom|recovering\sfrom|survivor|had\sa\s(?:\S+\s)?"
    r"(?:stroke|heart\sattack|fit|seizure)\s(?:in|on|last|when|as|long)|long\sback|as\sa\s(?:kid|child)"
    r"|suffered\sa|in\s(?:jan\w*|feb\w*|march|april|may|june|july|aug\w*|sep\w*|oct\w*|nov\w*"
    r"|dec\w*)(?:\s\d{4})?(?![a-z])|when\s(?:he\s|she\s|i\s)?(?:was\s)?(?:young|small|little|a\skid"
    r"|a\schild|a\sbaby)|not\sanymore|no\smore\snow|bachpan"
)
# Comes and goes, for a while: a routine consultation unless something says it is bad now.
_CHRONIC = _p(r"on\sand\soff|off\sand\son|sometimes|occasionally|kabhi\skabhi|कभी\sकभी|whenever"
              r"|every\stime|(?:i|he|she|they)\sget|gets\s(?:\S+\s)?(?:when|after|while)|jab\sbhi|aksar"
              r"|often|frequently")
_NOW = _p(r"(?<!fine\s)(?<!better\s)(?<!ok\s)(?<!okay\s)(?<!stable\s)(?<!normal\s)now"
          r"(?!\s(?:he\s|she\s|i\s|they\s)?(?:is\s|am\s|are\s)?(?:on|taking|needs?|fine|better|ok"
          r"|okay|stable|recovered|normal)(?![a-z]))"
          r"|right\snow|abhi|abi|अभी|again\stoday|currently|since\s(?:morning|\d+\smins?)")
# "slight chest discomfort after spicy food": mild, said so, nothing alarming elsewhere.
_MILD_BEFORE = re.compile(
    rf"(?<![a-z0-9{_DEVA}])(?:slight|slightly|mild|mildly|a\slittle|little\sbit|bit\sof|halka|halki|thoda|thodi"
    rf"|हल्का|हल्की|थोड़ा|थोडा)\s(?:\S+\s){{0,1}}$"
)
_MILD_IN = _p(r"slight|slightly|mild|mildly|a\sbit|thoda|thodi|halka|halki|हल्का|हल्की|थोड़ा|थोडा")
# "your prices gave me a heart attack"
_FIGURE_BEFORE = re.compile(r"(?:gave|give|giving|given|get|got)\s(?:me|us)\s(?:a\s|an\s)?$")
# A cause that makes chest pain or breathlessness routine, said in the message.
_ROUTINE_CAUSE = _p(r"cough\w*|khansi|khasi|have\sa\scold|cold\sand\scough|jukam|zukaam|acidity|gas"
                    r"|spicy|after\seating|khane\ske\sbaad|anxious|anxiety|gained\sweight"
                    r"|when\s(?:i|he|she)\s(?:walk|climb|run|exercise|cough|eat)\w*"
                    r"|while\s(?:walking|climbing|running|jogging|exercising)")
# A question about the signs, not a report of them: "what are the signs of a heart attack".
_ABOUT_SIGNS = _p(
    r"(?:what|which)\s(?:are\s)?(?:the\s)?(?:signs|symptoms)|lakshan\s(?:kya|batao|bataiye)"
    r"|kya\s(?:\S+\s)?lakshan|लक्षण\s(?:क्या|बताइए|बताओ)|jaa?nkari|जानकारी|for\sknowledge|just\sasking")
_BLOCKED_NOSE = _p(r"naa?k\s(?:\S+\s)?band|blocked\snose|nose\s(?:is\s)?blocked|stuffy\snose"
                   r"|नाक\s(?:\S+\s)?बंद")
_OVERDOSE_QUESTION = re.compile(
    r"(?:can|could)\s(?:i|you|one|someone|we)\s(?:\S+\s)?over\s?dose"
    r"|over\s?dose\s(?:limit|level|amount|threshold)")
_NEGATION_BEFORE = re.compile(
    rf"(?<![a-z0-9{_DEVA}])(?:no|not|never|without|nahi|nahin|nhi|bina|isnt|wasnt|dont|"
    rf"doesnt|didnt)\s(?:\S+\s){{0,2}}$"
)


def _counts(clause: str, match: re.Match[str], category: str, whole: str,
            written: str | None = None) -> bool:
    """Does this match in this clause (of the message ``whole``) describe an emergency
    happening now? ``written``: the clause as written when ``clause`` is a folded reading
    (time words are read there: folding turns "week" into "wik")."""
    before, after = clause[: match.start()], clause[match.end():]
    if category not in (OVERDOSE, POISONING):
        if _MEDICINE_AFTER.match(after.strip()) or _TOPIC_AFTER.match(after.strip()):
            return False
        if _MEDICINE_FOR.search(before):
            return False
    if _NEGATION_BEFORE.search(before) and not re.match(r"(?:no|not)\s", match.group(0)):
        return False
    if (category not in (OVERDOSE, POISONING)
            and (_MILD_BEFORE.search(before) or _MILD_IN.search(match.group(0)))
            and not _INTENSIFIER.search(whole)):
        return False
    if _FIGURE_BEFORE.search(before):
        return False
    if category in (CHEST_PAIN, BREATHING, BLEEDING) and not _INTENSIFIER.search(whole) and (
            _MILD_IN.search(clause) or (category != BLEEDING and _ROUTINE_CAUSE.search(whole))):
        return False
    if _ABOUT_SIGNS.search(whole) or (category == BREATHING and _BLOCKED_NOSE.search(whole)):
        return False
    if category == OVERDOSE and _OVERDOSE_QUESTION.search(before + match.group(0) + after):
        return False
    if _CHRONIC.search(clause) and not _INTENSIFIER.search(whole):
        return False
    written = written or clause
    if _CHRONIC.search(written) and not _INTENSIFIER.search(whole):
        return False
    return not (_PAST.search(written) and not _NOW.search(written))


_STARTS_NEGATED = re.compile(r"(?:no|not|dont|do\snot|dnt|nahi|nahin|nhi|नहीं)\s")


def _self_harm(views: list[str], negated: list[bool]) -> str | None:
    """The words of the first self-harm statement in any view of the whole message
    (``negated`` gets True when one was said to be not so: "i am not suicidal")."""
    patterns = [(p, v) for v in views for p in _SELF_HARM]
    patterns += [(p, v) for v in (views[0], safety_concepts.fold(views[0]))
                 for p in safety_concepts.SELF_HARM]
    for pattern, view in patterns:
        for match in pattern.finditer(view):
            if (_NEGATION_BEFORE.search(view[: match.start()])
                    and not _STARTS_NEGATED.match(match.group(0))):
                negated.append(True)
                continue
            if (safety_concepts.WEAK_SELF_HARM.search(match.group(0))
                    and safety_concepts.FIGURATIVE.search(safety_concepts.fold(view))):
                negated.append(True)
                continue  # "waiting for this delivery I'll die"
            if (pattern is safety_concepts.VAGUE_SELF_HARM
                    and safety_concepts.TASK_NAMED.search(safety_concepts.fold(view))):
                negated.append(True)
                continue  # "I don't want to do this booking anymore": a stop, said so
            return match.group(0)
    return None


def _romanised(text: str) -> str | None:
    """Devanagari written in Latin letters (None when there is none)."""
    if not re.search(rf"[{_DEVA}]", text):
        return None
    return safety_concepts.romanise(text)


# How rules and model combine (chosen on development batches C, D and E, each measured with
# the rules as they were before it and a model trained without it: bench/README.md).
MODEL_CONFIRMS = 0.3   # a rule's alarm stands unless the model is this sure it is ordinary
MODEL_ALARMS = 0.6     # the model alone raises an alarm from this probability


def classify(text: str) -> Verdict:
    """Classify one customer message: the rules, with the model's second opinion.

    An alarm when the rules raise one and the model gives it at least ``MODEL_CONFIRMS``,
    or when the model alone gives ``MODEL_ALARMS`` (wording the rules don't list) and the
    rules did not see a sign and set it aside (past, negated, a medicine's name, mild).
    Without a model (no training data in this deployment) the rules alone decide.
    Never raises; non-text gives ``Verdict()`` (none).
    """
    verdict, negated = _rules(text)
    if not isinstance(text, str) or not text.strip() or text.lstrip().startswith("/"):
        return verdict
    probabilities = safety_model.probabilities(text[:2000])
    if probabilities is None:
        return verdict
    emergency = probabilities.get(safety_model.EMERGENCY, 0.0)
    self_harm = probabilities.get(safety_model.SELF_HARM, 0.0)
    score = round(emergency + self_harm, 3)
    if verdict.alarm and score >= MODEL_CONFIRMS:
        return Verdict(verdict.kind, verdict.category, verdict.evidence, verdict.categories,
                       score)
    if score >= MODEL_ALARMS and not negated:  # rules saw "no chest pain now": they know
        if self_harm > emergency:
            return Verdict(SELF_HARM, SELF_HARM_CATEGORY, "model", (SELF_HARM_CATEGORY,), score)
        return Verdict(EMERGENCY, None, "model", (), score)
    return Verdict(score=score)


def classify_rules(text: str) -> Verdict:
    """The rules alone. Never raises; non-text gives ``Verdict()`` (none).

    Three readings of each clause: as written (phrase patterns), Devanagari romanised
    (the Hinglish phrase patterns then read Hindi too) and folded (the concept patterns of
    bot/safety_concepts.py); the same filters apply to all three.
    """
    return _rules(text)[0]


def _rules(text: str) -> tuple[Verdict, bool]:
    """The rules' verdict, and whether they saw a sign and judged it not an emergency now
    ("no chest pain now", "had a stroke in 2021", "chest pain tablets")."""
    if not isinstance(text, str) or not text.strip() or text.lstrip().startswith("/"):
        return Verdict(), False
    negated: list[bool] = []
    clauses = _clauses(text[:2000])
    whole = normalise(text[:2000])
    roman_whole = _romanised(whole)
    self_harm = _self_harm([whole] + ([normalise(roman_whole)] if roman_whole else []),
                           negated)
    folded_whole = safety_concepts.fold(whole)
    found: list[tuple[str, str]] = []
    for clause in clauses:
        views = [(clause, _COMPILED)]
        roman = _romanised(clause)
        if roman:
            views.append((normalise(roman), _COMPILED))
        views.append((clause, safety_concepts.CONCEPTS))
        folded = safety_concepts.fold(roman or clause)
        if folded != clause:
            views.append((folded, safety_concepts.CONCEPTS))
        for view, patterns in views:
            context = whole if view is clause else folded_whole
            for category, pattern in patterns:
                for match in pattern.finditer(view):
                    if _counts(view, match, category, context, clause):
                        found.append((category, match.group(0)))
                    else:  # seen, and judged not an emergency now (past, medicine, no …)
                        negated.append(True)
        for category, pattern in safety_concepts.WEAK_CONCEPTS:
            for view in {clause, safety_concepts.fold(roman or clause)}:
                weak = pattern.search(view)
                if (weak and _INTENSIFIER.search(view + " " + clause)
                        and _counts(view, weak, category, folded_whole, clause)):
                    found.append((category, weak.group(0)))
        weak = _WEAK.search(clause)
        if weak and _INTENSIFIER.search(clause) and _counts(clause, weak, BREATHING, whole):
            found.append((BREATHING, weak.group(0)))
    categories = tuple(dict.fromkeys(category for category, _ in found))
    if self_harm:
        return Verdict(SELF_HARM, SELF_HARM_CATEGORY, self_harm,
                       (SELF_HARM_CATEGORY, *categories)), bool(negated)
    if found:
        return Verdict(EMERGENCY, found[0][0], found[0][1], categories), bool(negated)
    return Verdict(), bool(negated)
