"""Fixed wording of the voice line, in English and Hindi, chosen by the caller's language.

One table for every prompt the caller can hear that is not the assistant's own reply:
the Connect flow's prompts (built into ``channels/aws/connect_contact_flow.json`` by
``channels/aws/build_artifacts.py``), the gateway's fixed Lex replies
(``channels/routes/voice_lex.py``) and the Lambda forwarder's apology (copied into the
stdlib-only ``channels/aws/lex_forwarder.py``; a test keeps the copies equal).

Hindi is written in Devanagari: Kajal (Amazon Polly, neural, hi-IN) reads it natively.
The language comes from the Connect contact's ``$.LanguageCode`` (``en-IN``/``hi-IN``) or
the Lex ``localeId`` (``en_IN``/``hi_IN``); see :func:`language_for`.
"""

from __future__ import annotations

ENGLISH, HINDI = "en", "hi"
LANGUAGES = (ENGLISH, HINDI)
CONNECT_LANGUAGE_CODES = {ENGLISH: "en-IN", HINDI: "hi-IN"}
LEX_LOCALES = {ENGLISH: "en_IN", HINDI: "hi_IN"}

# The language menu is the one prompt played before the caller has chosen: it is
# bilingual on purpose and is not in PROMPTS.
LANGUAGE_MENU = "For English, press 1. हिंदी के लिए 2 दबाइए।"

PROMPTS: dict[str, dict[str, str]] = {
    # -- Connect flow -----------------------------------------------------------------
    "greeting": {
        ENGLISH: "Namaste! How can I help you with your medicine order today?",
        HINDI: "नमस्ते! बताइए, आपकी दवाइयों के ऑर्डर में मैं क्या मदद कर सकती हूँ?",
    },
    "lex_timeout": {
        ENGLISH: "We didn't hear from you. Please stay on the line, "
                 "we are connecting you to our care team.",
        HINDI: "हमें आपकी आवाज़ नहीं आई। कृपया लाइन पर बने रहिए, "
               "आपको हमारी केयर टीम से जोड़ा जा रहा है।",
    },
    "bot_error": {
        ENGLISH: "Sorry, something went wrong. Please stay on the line, "
                 "we are connecting you to our care team.",
        HINDI: "माफ़ कीजिए, कुछ गड़बड़ हो गई। कृपया लाइन पर बने रहिए, "
               "आपको हमारी केयर टीम से जोड़ा जा रहा है।",
    },
    "queue_busy": {
        ENGLISH: "Sorry, our care team is busy right now. "
                 "Please call again later or message us on WhatsApp.",
        HINDI: "माफ़ कीजिए, अभी हमारी केयर टीम व्यस्त है। "
               "कृपया थोड़ी देर बाद फिर से कॉल कीजिए या हमें व्हाट्सऐप पर मैसेज कीजिए।",
    },
    "goodbye": {
        ENGLISH: "Thank you for calling. Goodbye!",
        HINDI: "कॉल करने के लिए धन्यवाद। नमस्ते!",
    },
    # -- gateway (Lex code hook) ------------------------------------------------------
    "nothing_heard": {
        ENGLISH: "Sorry, I didn't hear anything. Please tell me how I can help, "
                 "or press 0 to talk to our care team.",
        HINDI: "माफ़ कीजिए, मुझे कुछ सुनाई नहीं दिया। बताइए मैं कैसे मदद करूँ, "
               "या हमारी केयर टीम से बात करने के लिए 0 दबाइए।",
    },
    "silence_handoff": {
        ENGLISH: "I still can't hear you, so I am connecting you to our care team.",
        HINDI: "मुझे अब भी आपकी आवाज़ नहीं आ रही, इसलिए आपको हमारी केयर टीम से जोड़ रही हूँ।",
    },
    "no_answer": {
        ENGLISH: "Sorry, I don't have an answer for that. What else can I do for you?",
        HINDI: "माफ़ कीजिए, इसका जवाब मेरे पास नहीं है। मैं और क्या मदद कर सकती हूँ?",
    },
    "say_or_press": {
        ENGLISH: "Say {title} or press {number}.",
        HINDI: "{title} बोलिए या {number} दबाइए।",
    },
    # -- gateway and Lambda forwarder: the assistant is unreachable --------------------
    "trouble_handoff": {
        ENGLISH: "Sorry, I'm having trouble right now. Let me connect you to our care team.",
        HINDI: "माफ़ कीजिए, अभी कुछ दिक्कत आ रही है। आपको हमारी केयर टीम से जोड़ा जा रहा है।",
    },
}


def language_for(locale_or_code: str | None) -> str:
    """``"hi"`` for ``hi_IN`` / ``hi-IN`` / ``hi``, else ``"en"`` (the line's default)."""
    value = (locale_or_code or "").strip().replace("-", "_").lower()
    return HINDI if value.split("_")[0] == HINDI else ENGLISH


def prompt(key: str, language: str, **values: str) -> str:
    """The wording for ``key`` in ``language`` (English if unknown), filled with ``values``."""
    texts = PROMPTS[key]
    text = texts.get(language) or texts[ENGLISH]
    return text.format(**values) if values else text
