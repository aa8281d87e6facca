"""Reply wording for the dialogue: English, Hindi in Latin script (Hinglish writers) and
Hindi in Devanagari (``"hi-Deva"``: customers who write Devanagari, ``hi_IN`` voice calls).

Custom actions build their replies here so wording lives in one place; sentences from
service facts (order status, reorder quotes, handoff next steps) are composed from these
texts by ``bot/dialogue_facts.py``. Responses that rules utter directly (greet, help, …) are
in ``domain/`` with ``language`` conditions. ``say(key, lang, **values)`` falls back from
Devanagari to Hinglish, and to English when no Hindi text exists. The reply language is the
one of the current message (``message_language``), else of the last message that told,
else the stored preference (``choose_reply_language``).
"""

from __future__ import annotations

import re
from typing import Any

ENGLISH, HINDI = "en", "hi"
# Hindi in Devanagari: for customers who write Devanagari and for hi_IN voice calls
# (Amazon Polly's hi-IN voices read Devanagari). Falls back to the Hinglish text.
HINDI_DEVANAGARI = "hi-Deva"
LANGUAGES = (ENGLISH, HINDI, HINDI_DEVANAGARI)
_DEVANAGARI_RE = re.compile(r"[\u0900-\u097f]")
_LATIN_LETTER_RE = re.compile(r"[A-Za-z]")

# Words that mark a message as Hinglish (Hindi written in Latin script). Short, common,
# and unlikely in English; "do", "to", "me", "hi" etc. are left out on purpose.
HINGLISH_WORDS = frozenset("""
hai hain ho hoon hu tha thi kya kyu kyun kaise kab kahan kaha kidhar mera meri mere mujhe
muje humein hamara aap aapka aapke tum tumhara karo karna karni karwana karwa kardo kar
chahiye chaiye nahi nahin nhi haan han ji theek thik accha acha achha bhej bhejo bhejdo
dobara phir fir wahi wala wali wale dawai dawa dawaiyan dawaai kal parso aaj abhi jaldi
subah shaam sham raat dopahar baje ke ki ka se ko mein bhi aur lekin pe
bata batao bataye dijiye kijiye chalega milegi milega hoga hogi rehne chhodo chodo baat
bhai bhaiya didi madad karwado lagana mangwana mangwani pichli pichle khatam
""".split())
_ENGLISH_MARKERS = frozenset("""
the is are my please want need can could would what when where which how you your
this that with for have has will and order medicine doctor test
""".split())
_WORD_RE = re.compile(r"[a-z]+")


def is_hindi_locale(locale: Any) -> bool:
    """``hi_IN`` / ``hi-IN`` / ``hi`` (a Hindi voice call)."""
    return isinstance(locale, str) and locale.strip().replace("-", "_").lower().split("_")[0] \
        == HINDI


def message_language(text: Any, locale: Any = None) -> str | None:
    """The language and script of one message: ``"hi-Deva"`` (Devanagari, or any turn of a
    ``hi_IN`` voice call), ``"hi"`` (Hinglish in Latin script), ``"en"``; None when the
    message can't tell (digits, "ok", a button payload)."""
    if is_hindi_locale(locale):
        return HINDI_DEVANAGARI
    if not isinstance(text, str) or text.startswith("/"):
        return None
    sample = text[:500]
    devanagari = len(_DEVANAGARI_RE.findall(sample))
    if devanagari and devanagari >= len(_LATIN_LETTER_RE.findall(sample)):
        return HINDI_DEVANAGARI
    return detect_language(sample, None)


def choose_reply_language(messages: Any, stored: Any = None) -> str:
    """The reply language: the latest message that tells (``messages`` newest first, each
    ``(text, locale)``), else the stored preference (``"en"``/``"hi"``), else English."""
    for text, locale in messages:
        found = message_language(text, locale)
        if found is not None:
            return found
    return stored if stored in LANGUAGES else ENGLISH


def detect_language(text: Any, previous: str | None = None) -> str | None:
    """``"hi"`` for Hinglish or Devanagari, ``"en"`` for English, ``previous`` when the
    text can't tell (the ``language`` slot keeps the language, not the script).

    Short replies ("1234", "yes", a button payload) keep the earlier choice.
    """
    if not isinstance(text, str) or text.startswith("/"):
        return previous
    if len(_DEVANAGARI_RE.findall(text[:500])) >= 2:
        return HINDI
    words = _WORD_RE.findall(text.lower()[:500])
    if not words:
        return previous
    hindi = sum(1 for w in words if w in HINGLISH_WORDS)
    english = sum(1 for w in words if w in _ENGLISH_MARKERS)
    if hindi >= 2 or (hindi == 1 and len(words) <= 3 and english == 0):
        return HINDI
    if english >= 1 and hindi == 0 and len(words) >= 2:
        return ENGLISH
    return previous


TEXT: dict[str, dict[str, str]] = {
    # -- identity ---------------------------------------------------------------------
    "ask_verify_order_id": {
        "en": "To keep your details safe, please tell me your order number and the last "
              "4 digits of your registered mobile number.",
        "hi": "Aapki details safe rakhne ke liye, please apna order number aur registered "
              "mobile number ke last 4 digits bataiye.",
    },
    "ask_verify_phone_last4": {
        "en": "Now the last 4 digits of your registered mobile number, please.",
        "hi": "Ab registered mobile number ke last 4 digits bataiye.",
    },
    "verify_bad_order_id": {
        "en": "That doesn't look like an order number. It is on your order SMS: 'ML' and 8 "
              "digits.",
        "hi": "Yeh order number jaisa nahi lag raha. Order SMS mein 'ML' ke baad 8 digits "
              "hote hain.",
    },
    "verify_bad_digits": {
        "en": "That doesn't look like 4 digits (e.g. 4321).",
        "hi": "Yeh 4 digits jaisa nahi lag raha (jaise 4321).",
    },
    "verify_mismatch": {
        "en": "Sorry, that order number and mobile number don't match our records. "
              "Let's try once more.",
        "hi": "Maaf kijiye, yeh order number aur mobile number hamare records se match nahi "
              "hue. Ek baar phir try karte hain.",
    },
    "verify_locked": {
        "en": "I couldn't verify those details, so I can't show account information here. "
              "Please sign in to the app, or reply 'agent' and our care team will help.",
        "hi": "Main details verify nahi kar paaya, isliye yahan account ki jaankari nahi de "
              "sakta. App mein sign in kijiye, ya 'agent' likhiye, hamari team madad karegi.",
    },
    "verify_locked_out": {
        "en": "For your security I can't check this order with its number and phone digits "
              "right now. Please sign in to the app, or call us and our care team will help.",
        "hi": "Aapki suraksha ke liye abhi main yeh order, number aur phone digits se check "
              "nahi kar sakta. App mein sign in kijiye, ya humein call kijiye, hamari care "
              "team madad karegi.",
    },
    "verified": {
        "en": "Thanks, you're verified.",
        "hi": "Shukriya, aap verify ho gaye.",
    },
    "need_verification": {
        "en": "Please sign in so I can look up your orders, or tell me your order number "
              "and the last 4 digits of your registered mobile number.",
        "hi": "Orders dekhne ke liye sign in kijiye, ya apna order number aur registered "
              "mobile ke last 4 digits bataiye.",
    },
    "need_verification_in_form": {
        "en": "I can check your orders once you're verified; let's finish this first.",
        "hi": "Verify hone ke baad main aapke orders dekh sakta hoon; pehle yeh poora karte "
              "hain.",
    },
    # -- generic ----------------------------------------------------------------------
    "store_down": {
        "en": "Sorry, I can't reach our systems right now. Please try again in a few "
              "minutes, or reply 'agent' to talk to our care team.",
        "hi": "Maaf kijiye, abhi hamara system nahi mil raha. Thodi der baad try kijiye, ya "
              "'agent' likhiye.",
    },
    "something_wrong": {
        "en": "Sorry, something went wrong on my side. Please try again, or reply 'agent' "
              "to talk to our care team.",
        "hi": "Maaf kijiye, mere taraf kuch gadbad ho gayi. Phir se try kijiye, ya 'agent' "
              "likhiye.",
    },
    "stopped": {
        "en": "Okay, I've stopped that. Anything else I can help with?",
        "hi": "Theek hai, maine use rok diya. Aur kuch madad chahiye?",
    },
    "nothing_to_stop": {
        "en": "Okay. Anything else I can help with?",
        "hi": "Theek hai. Aur kuch madad chahiye?",
    },
    "did_not_catch": {
        "en": "Sorry, I didn't catch that.",
        "hi": "Maaf kijiye, samajh nahi aaya.",
    },
    "offer_handoff": {
        "en": "I'm still not sure what you need. Shall I ask our care team to help you?",
        "hi": "Mujhe abhi bhi samajh nahi aaya. Kya main hamari care team se madad "
              "karwaun?",
    },
    "handoff_yes": {"en": "Yes, connect me", "hi": "Haan, connect karo"},
    "handoff_no": {"en": "No, thanks", "hi": "Nahi, rehne do"},
    "handoff_done": {
        "en": "I've passed this to our care team. {next_steps}",
        "hi": "Maine yeh hamari care team ko bhej diya hai. {next_steps}",
    },
    # -- safety: emergencies and self-harm (actions/safety.py); "hi-Deva" answers a message
    # written in Devanagari. Never a medicine name, a dose, or "we'll call after 8 am".
    "safety_emergency": {
        "en": "This sounds like an emergency. Please call 112 (emergency) or 108 (ambulance) "
              "right now, or go to the nearest hospital emergency room. Don't wait for a "
              "reply from us.",
        "hi": "Yeh emergency lag rahi hai. Abhi turant 112 (emergency) ya 108 (ambulance) par "
              "call kijiye, ya sabse paas ke hospital ki emergency mein jaiye. Hamare reply "
              "ka intezaar mat kijiye.",
        "hi-Deva": "यह इमरजेंसी लग रही है। अभी तुरंत 112 (इमरजेंसी) या 108 (एम्बुलेंस) पर कॉल "
                   "कीजिए, या सबसे पास के अस्पताल की इमरजेंसी में जाइए। हमारे जवाब का इंतज़ार "
                   "मत कीजिए।",
    },
    "safety_now_chest_pain": {
        "en": "Until help comes: keep them sitting and resting, loosen tight clothes, and "
              "don't let them walk about.",
        "hi": "Madad aane tak: unhe baitha kar aaram karwaiye, tight kapde dheele kijiye, "
              "chalne-phirne mat dijiye.",
        "hi-Deva": "मदद आने तक: उन्हें बिठाकर आराम करवाइए, तंग कपड़े ढीले कीजिए, चलने-फिरने "
                   "मत दीजिए।",
    },
    "safety_now_breathing": {
        "en": "Until help comes: help them sit upright, loosen tight clothes and let fresh "
              "air in.",
        "hi": "Madad aane tak: unhe seedha baithaiye, tight kapde dheele kijiye aur taazi "
              "hawa aane dijiye.",
        "hi-Deva": "मदद आने तक: उन्हें सीधा बिठाइए, तंग कपड़े ढीले कीजिए और ताज़ी हवा आने "
                   "दीजिए।",
    },
    "safety_now_unconscious": {
        "en": "Until help comes: check whether they are breathing. If they are, turn them "
              "on their side; if not, the 112/108 operator will guide you through CPR.",
        "hi": "Madad aane tak: dekhiye saans chal rahi hai ya nahi. Chal rahi ho to unhe "
              "karwat par lita dijiye; na chal rahi ho to 112/108 wale CPR karna batayenge.",
        "hi-Deva": "मदद आने तक: देखिए सांस चल रही है या नहीं। चल रही हो तो उन्हें करवट पर "
                   "लिटा दीजिए; न चल रही हो तो 112/108 वाले CPR करना बताएंगे।",
    },
    "safety_now_stroke": {
        "en": "Until help comes: note the time the signs started, and give nothing to eat "
              "or drink.",
        "hi": "Madad aane tak: lakshan kis samay shuru hue yeh note kijiye, aur kuch khane-"
              "peene ko mat dijiye.",
        "hi-Deva": "मदद आने तक: लक्षण किस समय शुरू हुए यह नोट कीजिए, और कुछ खाने-पीने को मत "
                   "दीजिए।",
    },
    "safety_now_seizure": {
        "en": "Until help comes: don't hold them down or put anything in their mouth; move "
              "hard objects away and turn them on their side when the jerking stops.",
        "hi": "Madad aane tak: unhe pakad kar mat rokiye, munh mein kuch mat daaliye; sakht "
              "cheezein door kijiye aur jhatke rukne par karwat par lita dijiye.",
        "hi-Deva": "मदद आने तक: उन्हें पकड़कर मत रोकिए, मुंह में कुछ मत डालिए; सख्त चीज़ें दूर "
                   "कीजिए और झटके रुकने पर करवट पर लिटा दीजिए।",
    },
    "safety_now_bleeding": {
        "en": "Until help comes: press firmly on the wound with a clean cloth and keep "
              "pressing.",
        "hi": "Madad aane tak: saaf kapde se ghaav ko zor se dabaiye aur dabaye rakhiye.",
        "hi-Deva": "मदद आने तक: साफ कपड़े से घाव को ज़ोर से दबाइए और दबाए रखिए।",
    },
    "safety_now_poisoning": {
        "en": "Until help comes: don't try to make them vomit; keep the container to show "
              "the doctors.",
        "hi": "Madad aane tak: ulti karwane ki koshish mat kijiye; jo cheez li hai uska "
              "dabba doctor ko dikhane ke liye saath rakhiye.",
        "hi-Deva": "मदद आने तक: उल्टी करवाने की कोशिश मत कीजिए; जो चीज़ ली है उसका डिब्बा "
                   "डॉक्टर को दिखाने के लिए साथ रखिए।",
    },
    "safety_now_overdose": {
        "en": "Until help comes: don't try to make them vomit; keep the strip or bottle to "
              "show the doctors.",
        "hi": "Madad aane tak: ulti karwane ki koshish mat kijiye; patta ya bottle doctor ko "
              "dikhane ke liye saath rakhiye.",
        "hi-Deva": "मदद आने तक: उल्टी करवाने की कोशिश मत कीजिए; पत्ता या बोतल डॉक्टर को "
                   "दिखाने के लिए साथ रखिए।",
    },
    "safety_no_medicine": {
        "en": "Please don't give any medicine on your own now; the emergency doctors will "
              "decide.",
        "hi": "Abhi apne se koi dawai mat dijiye; emergency doctor tay karenge.",
        "hi-Deva": "अभी अपने से कोई दवा मत दीजिए; इमरजेंसी डॉक्टर तय करेंगे।",
    },
    "safety_self_harm": {
        "en": "I'm really sorry you're going through this. You're not alone, and you can "
              "talk to someone right now: call Tele-MANAS on 14416 (free, any time, in your "
              "language). If you have taken something or feel you might act on these "
              "thoughts, call 112 or 108 now, or go to the nearest hospital emergency room. "
              "If you can, stay with someone you trust and keep medicines out of reach.",
        "hi": "Mujhe bahut afsos hai ki aap itne mushkil waqt se guzar rahe hain. Aap akele "
              "nahi hain, abhi kisi se baat kar sakte hain: Tele-MANAS 14416 par call kijiye "
              "(free, kabhi bhi, aapki bhasha mein). Agar aapne kuch le liya hai ya khud ko "
              "nuksaan pahunchane ka darr hai, to abhi 112 ya 108 par call kijiye, ya sabse "
              "paas ke hospital ki emergency mein jaiye. Ho sake to kisi bharose ke insaan ke "
              "saath rahiye aur dawaiyan door rakhiye.",
        "hi-Deva": "मुझे बहुत अफ़सोस है कि आप इतने मुश्किल समय से गुज़र रहे हैं। आप अकेले नहीं "
                   "हैं, अभी किसी से बात कर सकते हैं: टेली-मानस 14416 पर कॉल कीजिए (मुफ़्त, "
                   "कभी भी, आपकी भाषा में)। अगर आपने कुछ ले लिया है या खुद को नुकसान पहुंचाने "
                   "का डर है, तो अभी 112 या 108 पर कॉल कीजिए, या सबसे पास के अस्पताल की "
                   "इमरजेंसी में जाइए। हो सके तो किसी भरोसे के इंसान के साथ रहिए और दवाइयां "
                   "दूर रखिए।",
    },
    "safety_alerted": {
        "en": "I've also alerted our care team as urgent; they will get in touch with you.",
        "hi": "Maine hamari care team ko bhi urgent alert bhej diya hai; woh aapse sampark "
              "karenge.",
        "hi-Deva": "मैंने हमारी केयर टीम को भी अर्जेंट अलर्ट भेज दिया है; वे आपसे संपर्क "
                   "करेंगे।",
    },
    "yes": {"en": "Yes", "hi": "Haan"},
    "no": {"en": "No", "hi": "Nahi"},
    "pick_number": {
        "en": "Please pick one of the options (reply 1, 2 or 3).",
        "hi": "Options mein se ek chuniye (1, 2 ya 3 likhiye).",
    },
    "stop_hint": {
        "en": "You can also say 'stop' to do something else.",
        "hi": "Kuch aur karna ho to 'stop' likhiye.",
    },
    # -- order status -----------------------------------------------------------------
    "order_not_found": {
        "en": "I couldn't find that order on your account. Please check the number.",
        "hi": "Yeh order aapke account mein nahi mila. Number check kar lijiye.",
    },
    "no_orders": {
        "en": "I don't see any orders on your account yet.",
        "hi": "Aapke account mein abhi koi order nahi dikh raha.",
    },
    "bad_order_id": {
        "en": "Hmm, {problem}. Could you check the number?",
        "hi": "Hmm, {problem}. Number check kar lijiye?",
    },
    # -- cancel -----------------------------------------------------------------------
    "ask_cancel_order_id": {
        "en": "Which order should I cancel? Please send the order number.",
        "hi": "Kaunsa order cancel karun? Order number bhejiye.",
    },
    "ask_cancel_confirm": {
        "en": "{sentence} Shall I cancel it?",
        "hi": "{sentence} Kya main ise cancel kar doon?",
    },
    "cancel_yes": {"en": "Yes, cancel it", "hi": "Haan, cancel karo"},
    "cancel_no": {"en": "No, keep it", "hi": "Nahi, rehne do"},
    "cancel_nothing": {
        "en": "I don't see any order on your account that can still be cancelled.",
        "hi": "Aapke account mein aisa koi order nahi hai jo abhi cancel ho sake.",
    },
    "cancel_not_allowed": {
        "en": "{reason} If you need help with it, reply 'agent'.",
        "hi": "{reason} Madad chahiye to 'agent' likhiye.",
    },
    "cancel_kept": {
        "en": "Okay, I haven't cancelled anything. Your order stays as it is.",
        "hi": "Theek hai, maine kuch cancel nahi kiya. Aapka order waisa hi rahega.",
    },
    # -- reorder ----------------------------------------------------------------------
    "ask_reorder_items": {
        "en": "Which medicines should I send, and how many packs? For example 'Dolo 650, 2 "
              "strips' or 'same as last time'.",
        "hi": "Kaunsi dawai aur kitne patte bhejun? Jaise 'Dolo 650 do patte' ya 'pichli "
              "baar wali'.",
    },
    "reorder_repeat_button": {"en": "Repeat {order_id}", "hi": "{order_id} dobara"},
    "reorder_no_past_order": {
        "en": "I couldn't find a delivered order to repeat.",
        "hi": "Dobara bhejne ke liye koi delivered order nahi mila.",
    },
    "reorder_unknown_medicine": {
        "en": "I couldn't find '{name}' in our catalogue; please check the spelling, or send "
              "the name as printed on the strip.",
        "hi": "'{name}' hamare catalogue mein nahi mili; spelling check kijiye, ya strip par "
              "likha naam bhejiye.",
    },
    "did_you_mean": {
        "en": "Did you mean one of these?",
        "hi": "Kya aapka matlab inmein se koi hai?",
    },
    "quantity_problem": {
        "en": "For {brand}: {problem}.",
        "hi": "{brand} ke liye: {problem}.",
    },
    "quantity_needs_medicine": {
        "en": "Please tell me the medicine with the quantity, e.g. 'Dolo 650, 3 strips'.",
        "hi": "Dawai ka naam quantity ke saath bataiye, jaise 'Dolo 650 teen patte'.",
    },
    "ask_reorder_pincode": {
        "en": "Which pincode should we deliver to?",
        "hi": "Kis pincode par delivery karein?",
    },
    "bad_pincode": {
        "en": "A pincode has 6 digits, e.g. 110001.",
        "hi": "Pincode 6 digit ka hota hai, jaise 110001.",
    },
    "pincode_not_served": {
        "en": "Sorry, we don't deliver to {pincode} yet.",
        "hi": "Maaf kijiye, {pincode} par abhi delivery nahi hoti.",
    },
    "ask_reorder_confirm": {
        "en": "{sentence}",
        "hi": "{sentence}",
    },
    "place_yes": {"en": "Yes, place order", "hi": "Haan, order karo"},
    "place_no": {"en": "No", "hi": "Nahi"},
    "rx_required": {
        "en": "{message}",
        "hi": "{message}",
    },
    "book_doctor_button": {"en": "Book a doctor call", "hi": "Doctor call book karo"},
    "talk_to_pharmacist": {"en": "Talk to a pharmacist", "hi": "Pharmacist se baat"},
    "out_of_stock_subs": {
        "en": "{brand} is out of stock near you. These have the same salt and strength and "
              "are in stock; shall I send one of them instead?",
        "hi": "{brand} aapke paas stock mein nahi hai. Inmein same salt aur strength hai, "
              "stock mein hain; kya inmein se koi bhejun?",
    },
    "out_of_stock_none": {
        "en": "Sorry, {brand} is out of stock near you and I couldn't find a substitute in "
              "stock.",
        "hi": "Maaf kijiye, {brand} aapke paas stock mein nahi hai aur koi substitute bhi "
              "nahi mila.",
    },
    "out_of_stock_dropped": {
        "en": "I've left {brand} out of this order.",
        "hi": "Maine {brand} ko is order se hata diya hai.",
    },
    "substitute_none_button": {"en": "None of these", "hi": "Inmein se koi nahi"},
    "reorder_placed": {"en": "{sentence}", "hi": "{sentence}"},
    "reorder_cancelled": {
        "en": "Okay, I haven't placed the order.",
        "hi": "Theek hai, maine order nahi kiya.",
    },
    # -- doctor -----------------------------------------------------------------------
    "ask_doctor_speciality": {
        "en": "What kind of doctor would you like to talk to? If you're not sure, a general "
              "physician is a good start.",
        "hi": "Kis tarah ke doctor se baat karni hai? Pata na ho to general physician se "
              "shuru kar sakte hain.",
    },
    "unknown_speciality": {
        "en": "Sorry, I couldn't tell which kind of doctor that is.",
        "hi": "Maaf kijiye, samajh nahi aaya kis tarah ke doctor chahiye.",
    },
    "ask_doctor_time": {
        "en": "When would you like the call? For example 'now', 'today 6 pm' or 'tomorrow "
              "morning'.",
        "hi": "Call kab chahiye? Jaise 'abhi', 'aaj shaam 6 baje' ya 'kal subah'.",
    },
    "bad_time": {
        "en": "Sorry, I couldn't understand that time.",
        "hi": "Maaf kijiye, time samajh nahi aaya.",
    },
    "ask_doctor_language": {
        "en": "Which language would you like to speak in?",
        "hi": "Aap kis bhasha mein baat karna chahenge?",
    },
    "bad_language": {
        "en": "Sorry, I didn't recognise that language.",
        "hi": "Maaf kijiye, yeh bhasha samajh nahi aayi.",
    },
    "ask_doctor_slot": {
        "en": "Here are the free slots for a {speciality}. Which one suits you?",
        "hi": "{speciality} ke free slots yeh hain. Kaunsa theek rahega?",
    },
    "no_doctor_slots": {
        "en": "Sorry, there are no free {speciality} slots around then.",
        "hi": "Maaf kijiye, us samay {speciality} ke slots khali nahi hain.",
    },
    "slot_taken": {
        "en": "Sorry, {problem}. Here are the next free slots.",
        "hi": "Maaf kijiye, {problem}. Yeh agle khali slots hain.",
    },
    # -- lab --------------------------------------------------------------------------
    "ask_lab_tests": {
        "en": "Which test(s) would you like? For example 'CBC', 'HbA1c' or 'thyroid "
              "profile'.",
        "hi": "Kaunsa test karwana hai? Jaise 'CBC', 'HbA1c' ya 'thyroid profile'.",
    },
    "unknown_lab_test": {
        "en": "Sorry, {problem}. Please name the test as on your prescription.",
        "hi": "Maaf kijiye, {problem}. Test ka naam prescription jaisa likhiye.",
    },
    "ask_lab_pincode": {
        "en": "Which pincode should the collector come to?",
        "hi": "Sample lene kis pincode par aayein?",
    },
    "lab_not_served": {
        "en": "Sorry, {problem}.",
        "hi": "Maaf kijiye, {problem}.",
    },
    "ask_lab_time": {
        "en": "When should we collect the sample? For example 'tomorrow 7 am' or 'saturday "
              "morning'.",
        "hi": "Sample kab lein? Jaise 'kal subah 7 baje' ya 'shanivar subah'.",
    },
    "ask_lab_slot": {
        "en": "{summary} Pick a collection slot:",
        "hi": "{summary} Collection slot chuniye:",
    },
    "no_lab_slots": {
        "en": "Sorry, there are no collection slots left around then.",
        "hi": "Maaf kijiye, us samay koi collection slot khali nahi hai.",
    },
    # -- availability -----------------------------------------------------------------
    "ask_avail_medicine": {
        "en": "Which medicine should I check?",
        "hi": "Kaunsi dawai check karun?",
    },
    "ask_avail_pincode": {
        "en": "Which pincode should I check stock for?",
        "hi": "Kis pincode ke liye stock check karun?",
    },
    "in_stock": {
        "en": "{brand} ({pack}) is in stock for pincode {pincode}: ₹{price:.2f} per pack.{rx}",
        "hi": "{brand} ({pack}) pincode {pincode} ke liye stock mein hai: ₹{price:.2f} per "
              "pack.{rx}",
    },
    "rx_note": {
        "en": " It needs a valid prescription.",
        "hi": " Iske liye valid prescription chahiye.",
    },
    "not_in_stock": {
        "en": "{brand} is out of stock for pincode {pincode} right now.",
        "hi": "{brand} abhi pincode {pincode} ke liye stock mein nahi hai.",
    },
    "subs_in_stock": {
        "en": "Same salt and strength, in stock: {names}.",
        "hi": "Same salt aur strength wali, stock mein: {names}.",
    },
    "offer_order": {
        "en": "Would you like me to order it?",
        "hi": "Kya main order kar doon?",
    },
    "offer_order_one": {
        "en": "Would you like me to order one of these?",
        "hi": "Kya inmein se koi order kar doon?",
    },
    "order_button": {"en": "Order {brand}", "hi": "{brand} order karo"},
    # -- one-time codes (web chat "Verify with a code"; the SMS is a DLT template) -------
    "otp_sms": {
        "en": "{code} is your pharmacy care verification code. It expires in 5 minutes. "
              "Never share it with anyone, not even our staff.",
    },
    "otp_sent": {
        "en": "If that order number is right, we've sent a 6-digit code by SMS to the mobile "
              "number on the order. It expires in 5 minutes.",
        "hi": "Agar order number sahi hai, to order wale mobile number par 6-digit code SMS "
              "kiya gaya hai. Yeh 5 minute mein expire ho jayega.",
    },
    "otp_rate_limited": {
        "en": "We've sent several codes already. Please wait a while before asking for "
              "another.",
        "hi": "Kai code pehle hi bheje ja chuke hain. Naya code maangne se pehle thodi der "
              "rukiye.",
    },
    "otp_wrong": {
        "en": "That code isn't right. You have {tries} more {tries_word}.",
        "hi": "Yeh code sahi nahi hai. Aapke paas {tries} aur {tries_word} hai.",
    },
    "otp_new_code_needed": {
        "en": "That code can't be used any more. Please ask for a new code.",
        "hi": "Yeh code ab use nahi ho sakta. Please naya code maangiye.",
    },
    "otp_verified": {
        "en": "Thanks, you're verified for the next 30 minutes.",
        "hi": "Shukriya, aap agle 30 minute ke liye verify ho gaye.",
    },
    "otp_locked": {
        "en": "For your security this order can't be verified here right now. Please sign in "
              "to the app, or call us and our care team will help.",
        "hi": "Aapki suraksha ke liye abhi yeh order yahan verify nahi ho sakta. App mein sign "
              "in kijiye, ya humein call kijiye, hamari care team madad karegi.",
    },
    "otp_bad_order_id": {
        "en": "An order number looks like ML followed by 8 digits.",
        "hi": "Order number ML ke baad 8 digits jaisa hota hai.",
    },
    "otp_unavailable": {
        "en": "We can't send or check codes right now. Please try again in a few minutes.",
        "hi": "Abhi code bhej ya check nahi kar pa rahe. Kuch minute baad phir try kijiye.",
    },
}


# -- sentences built from service data (bot/dialogue_facts.py) ---------------------------
TEXT.update({
    "day_today": {"en": "today", "hi": "aaj", "hi-Deva": "आज"},
    "day_tomorrow": {"en": "tomorrow", "hi": "kal", "hi-Deva": "कल"},
    "day_yesterday": {"en": "yesterday", "hi": "kal (beeta hua)", "hi-Deva": "बीते कल"},
    "day_date": {"en": "{weekday}, {day} {month}", "hi": "{weekday}, {day} {month}",
                 "hi-Deva": "{weekday}, {day} {month}"},
    "clock_time": {"en": "{clock}", "hi": "{period} {clock} baje",
                   "hi-Deva": "{period} {clock} बजे"},
    "moment": {"en": "{day} at {time}", "hi": "{day} {time}", "hi-Deva": "{day} {time}"},
    "items_more": {"en": "{names} and {count} more", "hi": "{names} aur {count} aur",
                   "hi-Deva": "{names} और {count} और"},
    "order_status_line": {
        "en": "Your order {order_id} ({items}) is {status}.",
        "hi": "Aapka order {order_id} ({items}) {status}.",
        "hi-Deva": "आपका ऑर्डर {order_id} ({items}) {status}।",
    },
    "status_placed": {"en": "placed", "hi": "place ho gaya hai",
                      "hi-Deva": "प्लेस हो गया है"},
    "status_confirmed": {"en": "confirmed and being prepared",
                         "hi": "confirm ho gaya hai aur taiyaar ho raha hai",
                         "hi-Deva": "कन्फ़र्म हो गया है और तैयार हो रहा है"},
    "status_packed": {"en": "packed and waiting for the courier",
                      "hi": "pack ho gaya hai aur courier ka intezaar kar raha hai",
                      "hi-Deva": "पैक हो गया है और कूरियर का इंतज़ार कर रहा है"},
    "status_shipped": {"en": "shipped", "hi": "ship ho gaya hai",
                       "hi-Deva": "शिप हो गया है"},
    "status_out_for_delivery": {"en": "out for delivery",
                                "hi": "delivery ke liye nikal chuka hai",
                                "hi-Deva": "डिलीवरी के लिए निकल चुका है"},
    "status_delivered": {"en": "delivered", "hi": "deliver ho gaya hai",
                         "hi-Deva": "डिलीवर हो गया है"},
    "status_cancelled": {"en": "cancelled", "hi": "cancel ho gaya hai",
                         "hi-Deva": "कैंसिल हो गया है"},
    "status_returned": {"en": "returned", "hi": "return ho gaya hai",
                        "hi-Deva": "रिटर्न हो गया है"},
    "eta_delivered": {"en": "Delivered {moment}.", "hi": "{moment} deliver hua.",
                      "hi-Deva": "{moment} डिलीवर हुआ।"},
    "eta_late": {
        "en": "It was due {day} and is running late; sorry about that. We now expect it "
              "within 1 day.",
        "hi": "Yeh {day} aana tha aur late ho gaya hai; maaf kijiye. Ab 1 din mein aane ki "
              "ummeed hai.",
        "hi-Deva": "यह {day} आना था और इसमें देर हो गई है; माफ़ कीजिए। अब 1 दिन में आने की "
                   "उम्मीद है।",
    },
    "eta_out_for_delivery": {"en": "Expected today by 9 pm.",
                             "hi": "Aaj raat 9 baje tak pahunch jayega.",
                             "hi-Deva": "आज रात 9 बजे तक पहुँच जाएगा।"},
    "eta_expected": {"en": "Expected {day}.", "hi": "{day} tak pahunchne ki ummeed hai.",
                     "hi-Deva": "{day} तक पहुँचने की उम्मीद है।"},
    "courier_line": {"en": "Courier: {name}, AWB {awb}.", "hi": "Courier: {name}, AWB {awb}.",
                     "hi-Deva": "कूरियर: {name}, AWB {awb}।"},
    "next_placed": {"en": "We'll confirm it after a pharmacist checks it.",
                    "hi": "Pharmacist ke check karne ke baad hum ise confirm karenge.",
                    "hi-Deva": "फ़ार्मासिस्ट के जाँचने के बाद हम इसे कन्फ़र्म करेंगे।"},
    "next_confirmed": {"en": "It will be packed and handed to the courier next.",
                       "hi": "Ab yeh pack hokar courier ko diya jayega.",
                       "hi-Deva": "अब यह पैक होकर कूरियर को दिया जाएगा।"},
    "next_packed": {"en": "It will be handed to the courier shortly.",
                    "hi": "Yeh jald hi courier ko diya jayega.",
                    "hi-Deva": "यह जल्द ही कूरियर को दिया जाएगा।"},
    "next_shipped": {"en": "You'll get an SMS when it is out for delivery.",
                     "hi": "Delivery ke liye nikalne par aapko SMS aayega.",
                     "hi-Deva": "डिलीवरी के लिए निकलने पर आपको SMS आएगा।"},
    "next_out_for_delivery": {"en": "Please keep your phone handy for the delivery partner.",
                              "hi": "Delivery partner ke liye apna phone paas rakhiye.",
                              "hi-Deva": "डिलीवरी पार्टनर के लिए अपना फ़ोन पास रखिए।"},
    "next_delivered": {"en": "Reply 'reorder' any time to get the same medicines again.",
                       "hi": "Wahi dawaiyan dobara mangwani hon to kabhi bhi 'reorder' "
                             "likhiye.",
                       "hi-Deva": "वही दवाइयाँ दोबारा मँगवानी हों तो कभी भी 'reorder' लिखिए।"},
    "next_cancelled": {"en": "Any payment made will be refunded to the original method in "
                             "5-7 days.",
                       "hi": "Jo bhi payment hua hai woh 5-7 din mein usi tareeke se wapas "
                             "aa jayega.",
                       "hi-Deva": "जो भी भुगतान हुआ है वह 5-7 दिन में उसी तरीके से वापस आ "
                                  "जाएगा।"},
    "next_returned": {"en": "The refund is processed once the return is checked.",
                      "hi": "Return check hone ke baad refund process hoga.",
                      "hi-Deva": "रिटर्न की जाँच के बाद रिफ़ंड प्रोसेस होगा।"},
    "next_delayed": {"en": "If it hasn't arrived by tomorrow evening, reply 'agent' and "
                           "we'll call you.",
                     "hi": "Kal shaam tak na pahunche to 'agent' likhiye, hum aapko call "
                           "karenge.",
                     "hi-Deva": "कल शाम तक न पहुँचे तो 'agent' लिखिए, हम आपको कॉल करेंगे।"},
    "cancel_summary_line": {"en": "Order {order_id} ({items}{money}) is {status}.",
                            "hi": "Order {order_id} ({items}{money}) {status}.",
                            "hi-Deva": "ऑर्डर {order_id} ({items}{money}) {status}।"},
    "cancel_already_cancelled": {"en": "Order {order_id} is already cancelled.",
                                 "hi": "Order {order_id} pehle hi cancel ho chuka hai.",
                                 "hi-Deva": "ऑर्डर {order_id} पहले ही कैंसिल हो चुका है।"},
    "cancel_too_late_on_way": {
        "en": "Order {order_id} is already {status}, so it can't be cancelled now. You can "
              "refuse it at delivery, or return it within 7 days of delivery.",
        "hi": "Order {order_id} {status}, isliye ab cancel nahi ho sakta. Delivery ke samay "
              "mana kar sakte hain, ya delivery ke 7 din ke andar return kar sakte hain.",
        "hi-Deva": "ऑर्डर {order_id} {status}, इसलिए अब कैंसिल नहीं हो सकता। डिलीवरी के "
                   "समय मना कर सकते हैं, या डिलीवरी के 7 दिन के अंदर रिटर्न कर सकते हैं।",
    },
    "cancel_too_late_done": {
        "en": "Order {order_id} is already {status}, so it can't be cancelled. You can "
              "request a return in the app.",
        "hi": "Order {order_id} {status}, isliye cancel nahi ho sakta. App mein return ki "
              "request kar sakte hain.",
        "hi-Deva": "ऑर्डर {order_id} {status}, इसलिए कैंसिल नहीं हो सकता। ऐप में रिटर्न की "
                   "रिक्वेस्ट कर सकते हैं।",
    },
    "cancel_done": {"en": "Done: order {order_id} is cancelled. {next_step}",
                    "hi": "Ho gaya: order {order_id} cancel ho gaya. {next_step}",
                    "hi-Deva": "हो गया: ऑर्डर {order_id} कैंसिल हो गया। {next_step}"},
    "reorder_quote_line": {
        "en": "{items}: ₹{total:.2f} in all, delivered to pincode {pincode} {day}. Shall I "
              "place the order?",
        "hi": "{items}: kul ₹{total:.2f}, pincode {pincode} par {day} delivery. Order kar "
              "doon?",
        "hi-Deva": "{items}: कुल ₹{total:.2f}, पिनकोड {pincode} पर {day} डिलीवरी। ऑर्डर कर "
                   "दूँ?",
    },
    "reorder_placed_line": {
        "en": "Order {order_id} is placed: ₹{total:.2f}, arriving {day}. You'll get an SMS "
              "when it ships.",
        "hi": "Order {order_id} ho gaya: ₹{total:.2f}, {day} pahunchega. Ship hone par aapko "
              "SMS aayega.",
        "hi-Deva": "ऑर्डर {order_id} हो गया: ₹{total:.2f}, {day} पहुँचेगा। शिप होने पर आपको "
                   "SMS आएगा।",
    },
    "rx_needed": {
        "en": "{names} needs a valid prescription, and I don't have one on file for you. You "
              "can upload one in the app, or I can book a doctor call.",
        "hi": "{names} ke liye valid prescription chahiye, aur aapka koi prescription hamare "
              "paas nahi hai. App mein upload kar sakte hain, ya main doctor call book kar "
              "sakta hoon.",
        "hi-Deva": "{names} के लिए वैध पर्चा (प्रिस्क्रिप्शन) चाहिए, और आपका कोई पर्चा हमारे "
                   "पास नहीं है। ऐप में अपलोड कर सकते हैं, या मैं डॉक्टर कॉल बुक कर सकता हूँ।",
    },
    "reorder_went_out_of_stock": {
        "en": "{brand} just went out of stock near you.",
        "hi": "{brand} abhi abhi aapke paas stock mein khatam ho gayi.",
        "hi-Deva": "{brand} अभी-अभी आपके पास स्टॉक में खत्म हो गई।",
    },
    "reorder_not_placed": {
        "en": "{reason} I haven't placed the order; say 'reorder' to try again.",
        "hi": "{reason} Maine order nahi kiya; dobara try karne ke liye 'reorder' likhiye.",
        "hi-Deva": "{reason} मैंने ऑर्डर नहीं किया; दोबारा कोशिश के लिए 'reorder' लिखिए।",
    },
    "reorder_items_problem": {
        "en": "Sorry, I couldn't prepare that order: {problem}.",
        "hi": "Maaf kijiye, yeh order taiyaar nahi ho paaya. Dawaiyan dobara bataiye.",
        "hi-Deva": "माफ़ कीजिए, यह ऑर्डर तैयार नहीं हो पाया। दवाइयाँ दोबारा बताइए।",
    },
    "handoff_next_open": {
        "en": "A pharmacist will call you back within 30 minutes (8 am–10 pm). Your ticket "
              "is {ticket_id}.",
        "hi": "Pharmacist 30 minute mein aapko call karenge (subah 8 se raat 10 baje tak). "
              "Aapka ticket {ticket_id} hai.",
        "hi-Deva": "फ़ार्मासिस्ट 30 मिनट में आपको कॉल करेंगे (सुबह 8 से रात 10 बजे तक)। "
                   "आपका टिकट {ticket_id} है।",
    },
    "handoff_next_later": {
        "en": "Our pharmacists are available 8 am–10 pm; one will call you back soon after "
              "8 am {when}. Your ticket is {ticket_id}.",
        "hi": "Hamare pharmacist subah 8 se raat 10 baje tak hote hain; {when} subah 8 baje "
              "ke baad jald aapko call karenge. Aapka ticket {ticket_id} hai.",
        "hi-Deva": "हमारे फ़ार्मासिस्ट सुबह 8 से रात 10 बजे तक होते हैं; {when} सुबह 8 बजे के "
                   "बाद जल्द आपको कॉल करेंगे। आपका टिकट {ticket_id} है।",
    },
    "doctor_booked": {
        "en": "Your call with {doctor} ({speciality}) is booked for {when}{language}{fee}. "
              "Your booking ID is {booking_id}; the doctor will call you on your registered "
              "mobile number.",
        "hi": "{doctor} ({speciality}) ke saath aapki call {when} book ho gayi hai{language}"
              "{fee}. Aapki booking ID {booking_id} hai; doctor aapke registered mobile "
              "number par call karenge.",
        "hi-Deva": "{doctor} ({speciality}) के साथ आपकी कॉल {when} बुक हो गई है{language}"
                   "{fee}। आपकी बुकिंग ID {booking_id} है; डॉक्टर आपके रजिस्टर्ड मोबाइल "
                   "नंबर पर कॉल करेंगे।",
    },
    "doctor_booked_language": {"en": " in {name}", "hi": ", {name} mein",
                               "hi-Deva": ", {name} में"},
    "doctor_booked_fee": {"en": "; the consultation fee is ₹{fee}",
                          "hi": "; consultation fees ₹{fee} hai",
                          "hi-Deva": "; परामर्श शुल्क ₹{fee} है"},
    # Lab tests at home (bot/labs.py keeps the same English for its own summary).
    "lab_quote_line": {
        "en": "Home collection for {tests} at {pincode}: {total}. {fasting} {report}",
        "hi": "{tests} ke liye ghar se sample, pincode {pincode}: kul {total}. {fasting} "
              "{report}",
        "hi-Deva": "{tests} के लिए घर से सैंपल, पिनकोड {pincode}: कुल {total}। {fasting} "
                   "{report}",
    },
    "lab_fasting": {
        "en": "Please fast for {span} hours before the collection: water is fine.",
        "hi": "Sample se {span} ghante pehle tak kuch na khaaiye; paani pee sakte hain.",
        "hi-Deva": "सैंपल से {span} घंटे पहले तक कुछ न खाइए; पानी पी सकते हैं।",
    },
    "lab_no_fasting": {
        "en": "No fasting is needed: you can eat and drink as usual.",
        "hi": "Khaali pet rehne ki zaroorat nahi; aap hamesha ki tarah kha-pee sakte hain.",
        "hi-Deva": "खाली पेट रहने की ज़रूरत नहीं; आप हमेशा की तरह खा-पी सकते हैं।",
    },
    "lab_report_hours": {
        "en": "Reports are usually ready within {count} hours.",
        "hi": "Report aam taur par {count} ghante mein aa jaati hai.",
        "hi-Deva": "रिपोर्ट आम तौर पर {count} घंटे में आ जाती है।",
    },
    "lab_report_days": {
        "en": "Reports are usually ready within {count} days.",
        "hi": "Report aam taur par {count} din mein aa jaati hai.",
        "hi-Deva": "रिपोर्ट आम तौर पर {count} दिन में आ जाती है।",
    },
    "lab_booked": {
        "en": "Your home sample collection for {tests} is booked for {when}. Total {total}, "
              "payable at collection. {fasting} {report} Your booking ID is {booking_id}.",
        "hi": "{tests} ke liye ghar se sample {when} book ho gaya hai. Kul {total}, sample ke "
              "samay dena hoga. {fasting} {report} Aapki booking ID {booking_id} hai.",
        "hi-Deva": "{tests} के लिए घर से सैंपल {when} बुक हो गया है। कुल {total}, सैंपल के "
                   "समय देना होगा। {fasting} {report} आपकी बुकिंग ID {booking_id} है।",
    },
    "and": {"en": "and", "hi": "aur", "hi-Deva": "और"},
})

# -- baskets and customer-facing problems (bot/basket_facts.py, bot/errors.customer_problem).
# Problems are short phrases without a full stop: templates put them in a sentence.
TEXT.update({
    "basket_header": {"en": "Your order:", "hi": "Aapka order:", "hi-Deva": "आपका ऑर्डर:"},
    "basket_line": {
        "en": "{n}. {brand} x{quantity}: ₹{unit:.2f} each, ₹{line:.2f} ({status})",
        "hi": "{n}. {brand} x{quantity}: ₹{unit:.2f} har ek, ₹{line:.2f} ({status})",
        "hi-Deva": "{n}. {brand} x{quantity}: ₹{unit:.2f} प्रति पैक, ₹{line:.2f} ({status})",
    },
    "basket_in_stock": {"en": "in stock", "hi": "stock mein hai", "hi-Deva": "स्टॉक में है"},
    "basket_substitute": {
        "en": "in stock, substitute offered for {original}",
        "hi": "stock mein hai, {original} ki jagah substitute",
        "hi-Deva": "स्टॉक में है, {original} की जगह विकल्प",
    },
    "basket_needs_rx": {
        "en": "needs a prescription, not included",
        "hi": "prescription chahiye, shaamil nahi",
        "hi-Deva": "पर्चा चाहिए, शामिल नहीं",
    },
    "basket_out_of_stock": {
        "en": "out of stock near you, not included",
        "hi": "aapke paas stock mein nahi, shaamil nahi",
        "hi-Deva": "आपके पास स्टॉक में नहीं, शामिल नहीं",
    },
    "basket_total": {
        "en": "Total ₹{total:.2f}, delivered to pincode {pincode} {day}.",
        "hi": "Kul ₹{total:.2f}, pincode {pincode} par {day} delivery.",
        "hi-Deva": "कुल ₹{total:.2f}, पिनकोड {pincode} पर {day} डिलीवरी।",
    },
    "basket_rx_hint": {
        "en": "{names} can be added once we have your prescription: upload it in the app, "
              "or I can book a doctor call.",
        "hi": "{names} prescription milne par jud sakti hai: app mein upload kijiye, ya main "
              "doctor call book kar sakta hoon.",
        "hi-Deva": "{names} पर्चा मिलने पर जुड़ सकती है: ऐप में अपलोड कीजिए, या मैं डॉक्टर "
                   "कॉल बुक कर सकता हूँ।",
    },
    "basket_question": {
        "en": "Shall I place the order? You can also say 'add …', 'remove …' or 'make it 3'.",
        "hi": "Order kar doon? '… add karo', '… hata do' ya '3 kar do' bhi keh sakte hain.",
        "hi-Deva": "ऑर्डर कर दूँ? '… जोड़ो', '… हटा दो' या '3 कर दो' भी कह सकते हैं।",
    },
    "basket_not_stocked": {
        "en": "We don't stock {name}. Same salt and strength in our catalogue: {names}. Tap "
              "one to add it.",
        "hi": "{name} hamare paas nahi milti. Same salt aur strength wali: {names}. Jodne ke "
              "liye ek chuniye.",
        "hi-Deva": "{name} हमारे पास नहीं मिलती। वही साल्ट और ताकत वाली: {names}। जोड़ने के "
                   "लिए एक चुनिए।",
    },
    "basket_removed_missing": {
        "en": "{name} wasn't in your order.",
        "hi": "{name} aapke order mein nahi thi.",
        "hi-Deva": "{name} आपके ऑर्डर में नहीं थी।",
    },
    "basket_now_empty": {
        "en": "Okay, your order is empty now.",
        "hi": "Theek hai, aapka order ab khaali hai.",
        "hi-Deva": "ठीक है, आपका ऑर्डर अब खाली है।",
    },
    "problem_generic": {
        "en": "I couldn't use that",
        "hi": "yeh samajh nahi aaya",
        "hi-Deva": "यह समझ नहीं आया",
    },
    "problem_quantity_not_number": {
        "en": "please tell me how many strips or bottles, for example '2 strips'",
        "hi": "kitne patte ya bottle chahiye bataiye, jaise '2 patte'",
        "hi-Deva": "कितने पत्ते या बोतल चाहिए बताइए, जैसे '2 पत्ते'",
    },
    "problem_quantity_too_small": {
        "en": "the quantity has to be at least 1",
        "hi": "kam se kam 1 patta hona chahiye",
        "hi-Deva": "कम से कम 1 पत्ता होना चाहिए",
    },
    "problem_quantity_too_many": {
        "en": "I can send at most {limit} packs per medicine",
        "hi": "ek dawai ke zyada se zyada {limit} pack bhej sakte hain",
        "hi-Deva": "एक दवा के ज़्यादा से ज़्यादा {limit} पैक भेज सकते हैं",
    },
    "problem_too_many_items": {
        "en": "one order can have at most {limit} medicines",
        "hi": "ek order mein zyada se zyada {limit} dawaiyan ho sakti hain",
        "hi-Deva": "एक ऑर्डर में ज़्यादा से ज़्यादा {limit} दवाइयाँ हो सकती हैं",
    },
    "problem_no_items": {
        "en": "I didn't see which medicines to send",
        "hi": "kaunsi dawai bhejni hai yeh samajh nahi aaya",
        "hi-Deva": "कौन सी दवा भेजनी है यह समझ नहीं आया",
    },
    "problem_listed_twice": {
        "en": "{brand} was listed twice",
        "hi": "{brand} do baar likhi gayi thi",
        "hi-Deva": "{brand} दो बार लिखी गई थी",
    },
    "problem_pincode": {
        "en": "a pincode has 6 digits, for example 110001",
        "hi": "pincode 6 digit ka hota hai, jaise 110001",
        "hi-Deva": "पिनकोड 6 अंकों का होता है, जैसे 110001",
    },
    "problem_order_id": {
        "en": "an order number is 'ML' followed by 8 digits",
        "hi": "order number 'ML' ke baad 8 digits hota hai",
        "hi-Deva": "ऑर्डर नंबर 'ML' के बाद 8 अंक होता है",
    },
    "problem_order_not_found": {
        "en": "I couldn't find that order on your account",
        "hi": "yeh order aapke account mein nahi mila",
        "hi-Deva": "यह ऑर्डर आपके खाते में नहीं मिला",
    },
    "problem_unknown_medicine": {
        "en": "I couldn't find '{name}' in our catalogue",
        "hi": "'{name}' hamare catalogue mein nahi mili",
        "hi-Deva": "'{name}' हमारी सूची में नहीं मिली",
    },
    "problem_unknown_lab_test": {
        "en": "I couldn't find a lab test called {names}",
        "hi": "{names} naam ka koi lab test nahi mila",
        "hi-Deva": "{names} नाम का कोई लैब टेस्ट नहीं मिला",
    },
    "problem_no_lab_test": {
        "en": "I didn't see a lab test name in that",
        "hi": "ismein lab test ka naam nahi mila",
        "hi-Deva": "इसमें लैब टेस्ट का नाम नहीं मिला",
    },
    "problem_not_found": {
        "en": "I couldn't find that",
        "hi": "yeh nahi mila",
        "hi-Deva": "यह नहीं मिला",
    },
    "problem_slot_taken": {
        "en": "that slot has just been booked by someone else",
        "hi": "yeh slot abhi kisi aur ne book kar liya",
        "hi-Deva": "यह स्लॉट अभी किसी और ने बुक कर लिया",
    },
    "problem_slot_past": {
        "en": "that time has already passed",
        "hi": "woh samay nikal chuka hai",
        "hi-Deva": "वह समय निकल चुका है",
    },
    "problem_slot_fasting": {
        "en": "these tests need fasting, so the collection has to be before 10 am",
        "hi": "in tests ke liye khaali pet rehna hai, isliye sample subah 10 baje se pehle "
              "lena hoga",
        "hi-Deva": "इन टेस्ट के लिए खाली पेट रहना है, इसलिए सैंपल सुबह 10 बजे से पहले लेना "
                   "होगा",
    },
    "problem_slot_full": {
        "en": "that collection slot has just filled up",
        "hi": "yeh collection slot abhi bhar gaya",
        "hi-Deva": "यह कलेक्शन स्लॉट अभी भर गया",
    },
    "problem_slot_already_yours": {
        "en": "you have already booked this slot",
        "hi": "yeh slot aap pehle hi book kar chuke hain",
        "hi-Deva": "यह स्लॉट आप पहले ही बुक कर चुके हैं",
    },
    "problem_not_served": {
        "en": "we don't serve pincode {pincode} yet",
        "hi": "pincode {pincode} par abhi service nahi hai",
        "hi-Deva": "पिनकोड {pincode} पर अभी सेवा नहीं है",
    },
    "problem_out_of_stock": {
        "en": "{brand} just went out of stock near you",
        "hi": "{brand} abhi aapke paas stock mein khatam ho gayi",
        "hi-Deva": "{brand} अभी आपके पास स्टॉक में खत्म हो गई",
    },
    "problem_prescription": {
        "en": "{names} needs a valid prescription",
        "hi": "{names} ke liye valid prescription chahiye",
        "hi-Deva": "{names} के लिए वैध पर्चा चाहिए",
    },
    "problem_not_allowed": {
        "en": "that can't be changed any more",
        "hi": "ab ise badla nahi ja sakta",
        "hi-Deva": "अब इसे बदला नहीं जा सकता",
    },
    "problem_store_down": {
        "en": "I can't reach our systems right now",
        "hi": "abhi hamara system nahi mil raha",
        "hi-Deva": "अभी हमारा सिस्टम नहीं मिल रहा",
    },
})

# Names used in dates and times, per reply language.
WEEKDAY_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
    "hi": ("Somvar", "Mangalvar", "Budhvar", "Guruvar", "Shukravar", "Shanivar", "Ravivar"),
    "hi-Deva": ("सोमवार", "मंगलवार", "बुधवार", "गुरुवार", "शुक्रवार", "शनिवार", "रविवार"),
}
MONTH_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
           "Dec"),
    "hi": ("Jan", "Feb", "March", "April", "May", "June", "July", "Aug", "Sep", "Oct", "Nov",
           "Dec"),
    "hi-Deva": ("जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई", "अगस्त", "सितंबर",
                "अक्टूबर", "नवंबर", "दिसंबर"),
}
# Consultation languages as said in Devanagari.
LANGUAGE_NAMES_DEVANAGARI = {
    "English": "अंग्रेज़ी", "Hindi": "हिंदी", "Tamil": "तमिल", "Telugu": "तेलुगु",
    "Marathi": "मराठी", "Bengali": "बंगाली", "Kannada": "कन्नड़", "Malayalam": "मलयालम",
    "Gujarati": "गुजराती", "Punjabi": "पंजाबी", "Odia": "ओड़िया", "Urdu": "उर्दू",
    "Assamese": "असमिया",
}
# Part of the day before a Hindi clock time ("shaam 6 baje"): (until hour, name).
DAY_PERIODS: dict[str, tuple[tuple[int, str], ...]] = {
    "hi": ((4, "raat"), (12, "subah"), (16, "dopahar"), (19, "shaam"), (24, "raat")),
    "hi-Deva": ((4, "रात"), (12, "सुबह"), (16, "दोपहर"), (19, "शाम"), (24, "रात")),
}

# Hindi in Devanagari for the keys above that only had English and Hinglish.
_DEVANAGARI: dict[str, str] = {
    "ask_verify_order_id": "आपकी जानकारी सुरक्षित रखने के लिए, कृपया अपना ऑर्डर नंबर और "
                           "रजिस्टर्ड मोबाइल नंबर के आखिरी 4 अंक बताइए।",
    "ask_verify_phone_last4": "अब रजिस्टर्ड मोबाइल नंबर के आखिरी 4 अंक बताइए।",
    "verify_bad_order_id": "यह ऑर्डर नंबर जैसा नहीं लग रहा। ऑर्डर SMS में 'ML' के बाद 8 अंक "
                           "होते हैं।",
    "verify_bad_digits": "यह 4 अंक जैसा नहीं लग रहा (जैसे 4321)।",
    "verify_mismatch": "माफ़ कीजिए, यह ऑर्डर नंबर और मोबाइल नंबर हमारे रिकॉर्ड से मेल नहीं "
                       "खाए। एक बार फिर कोशिश करते हैं।",
    "verify_locked": "मैं जानकारी वेरिफ़ाई नहीं कर पाया, इसलिए यहाँ खाते की जानकारी नहीं दे "
                     "सकता। ऐप में साइन इन कीजिए, या 'agent' लिखिए, हमारी टीम मदद करेगी।",
    "verify_locked_out": "आपकी सुरक्षा के लिए अभी मैं यह ऑर्डर, नंबर और फ़ोन के अंकों से "
                         "जाँच नहीं सकता। ऐप में साइन इन कीजिए, या हमें कॉल कीजिए, हमारी "
                         "केयर टीम मदद करेगी।",
    "verified": "धन्यवाद, आप वेरिफ़ाई हो गए।",
    "need_verification": "ऑर्डर देखने के लिए साइन इन कीजिए, या अपना ऑर्डर नंबर और "
                         "रजिस्टर्ड मोबाइल के आखिरी 4 अंक बताइए।",
    "need_verification_in_form": "वेरिफ़ाई होने के बाद मैं आपके ऑर्डर देख सकता हूँ; पहले यह "
                                 "पूरा करते हैं।",
    "store_down": "माफ़ कीजिए, अभी हमारा सिस्टम नहीं मिल रहा। थोड़ी देर बाद कोशिश कीजिए, या "
                  "'agent' लिखिए।",
    "something_wrong": "माफ़ कीजिए, मेरी तरफ़ से कुछ गड़बड़ हो गई। फिर से कोशिश कीजिए, या "
                       "'agent' लिखिए।",
    "stopped": "ठीक है, मैंने उसे रोक दिया। और कुछ मदद चाहिए?",
    "nothing_to_stop": "ठीक है। और कुछ मदद चाहिए?",
    "did_not_catch": "माफ़ कीजिए, समझ नहीं आया।",
    "offer_handoff": "मुझे अभी भी समझ नहीं आया। क्या मैं हमारी केयर टीम से मदद करवाऊँ?",
    "handoff_yes": "हाँ, जोड़िए",
    "handoff_no": "नहीं, रहने दीजिए",
    "handoff_done": "मैंने यह हमारी केयर टीम को भेज दिया है। {next_steps}",
    "yes": "हाँ",
    "no": "नहीं",
    "pick_number": "विकल्पों में से एक चुनिए (1, 2 या 3 लिखिए)।",
    "stop_hint": "कुछ और करना हो तो 'stop' लिखिए।",
    "order_not_found": "यह ऑर्डर आपके खाते में नहीं मिला। नंबर जाँच लीजिए।",
    "no_orders": "आपके खाते में अभी कोई ऑर्डर नहीं दिख रहा।",
    "bad_order_id": "यह ऑर्डर नंबर सही नहीं लग रहा। नंबर जाँच लीजिए?",
    "ask_cancel_order_id": "कौन सा ऑर्डर कैंसिल करूँ? ऑर्डर नंबर भेजिए।",
    "ask_cancel_confirm": "{sentence} क्या मैं इसे कैंसिल कर दूँ?",
    "cancel_yes": "हाँ, कैंसिल करो",
    "cancel_no": "नहीं, रहने दो",
    "cancel_nothing": "आपके खाते में ऐसा कोई ऑर्डर नहीं है जो अभी कैंसिल हो सके।",
    "cancel_not_allowed": "{reason} मदद चाहिए तो 'agent' लिखिए।",
    "cancel_kept": "ठीक है, मैंने कुछ कैंसिल नहीं किया। आपका ऑर्डर वैसा ही रहेगा।",
    "ask_reorder_items": "कौन सी दवा और कितने पत्ते भेजूँ? जैसे 'डोलो 650 दो पत्ते' या "
                         "'पिछली बार वाली'।",
    "reorder_repeat_button": "{order_id} दोबारा",
    "reorder_no_past_order": "दोबारा भेजने के लिए कोई डिलीवर हुआ ऑर्डर नहीं मिला।",
    "reorder_unknown_medicine": "'{name}' हमारी सूची में नहीं मिली; नाम जाँचिए, या पत्ते पर "
                                "छपा नाम भेजिए।",
    "did_you_mean": "क्या आपका मतलब इनमें से कोई है?",
    "quantity_problem": "{brand} के लिए: {problem}।",
    "quantity_needs_medicine": "दवा का नाम मात्रा के साथ बताइए, जैसे 'डोलो 650 तीन पत्ते'।",
    "ask_reorder_pincode": "किस पिनकोड पर डिलीवरी करें?",
    "bad_pincode": "पिनकोड 6 अंकों का होता है, जैसे 110001।",
    "pincode_not_served": "माफ़ कीजिए, {pincode} पर अभी डिलीवरी नहीं होती।",
    "ask_reorder_confirm": "{sentence}",
    "rx_required": "{message}",
    "reorder_placed": "{sentence}",
    "place_yes": "हाँ, ऑर्डर करो",
    "place_no": "नहीं",
    "book_doctor_button": "डॉक्टर कॉल बुक करो",
    "talk_to_pharmacist": "फ़ार्मासिस्ट से बात",
    "out_of_stock_subs": "{brand} आपके पास स्टॉक में नहीं है। इनमें वही साल्ट और ताकत है, "
                         "और ये स्टॉक में हैं; क्या इनमें से कोई भेजूँ?",
    "out_of_stock_none": "माफ़ कीजिए, {brand} आपके पास स्टॉक में नहीं है और कोई विकल्प भी "
                         "नहीं मिला।",
    "out_of_stock_dropped": "मैंने {brand} को इस ऑर्डर से हटा दिया है।",
    "substitute_none_button": "इनमें से कोई नहीं",
    "reorder_cancelled": "ठीक है, मैंने ऑर्डर नहीं किया।",
    "ask_doctor_speciality": "किस तरह के डॉक्टर से बात करनी है? पता न हो तो जनरल फ़िज़िशियन "
                             "से शुरू कर सकते हैं।",
    "unknown_speciality": "माफ़ कीजिए, समझ नहीं आया किस तरह के डॉक्टर चाहिए।",
    "ask_doctor_time": "कॉल कब चाहिए? जैसे 'अभी', 'आज शाम 6 बजे' या 'कल सुबह'।",
    "bad_time": "माफ़ कीजिए, समय समझ नहीं आया।",
    "ask_doctor_language": "आप किस भाषा में बात करना चाहेंगे?",
    "bad_language": "माफ़ कीजिए, यह भाषा समझ नहीं आई।",
    "ask_doctor_slot": "{speciality} के खाली स्लॉट ये हैं। कौन सा ठीक रहेगा?",
    "no_doctor_slots": "माफ़ कीजिए, उस समय {speciality} के स्लॉट खाली नहीं हैं।",
    "slot_taken": "माफ़ कीजिए, {problem}। ये अगले खाली स्लॉट हैं।",
    "ask_lab_tests": "कौन सा टेस्ट करवाना है? जैसे 'CBC', 'HbA1c' या 'थायरॉइड प्रोफ़ाइल'।",
    "unknown_lab_test": "माफ़ कीजिए, {problem}। टेस्ट का नाम पर्चे जैसा लिखिए।",
    "ask_lab_pincode": "सैंपल लेने किस पिनकोड पर आएँ?",
    "lab_not_served": "माफ़ कीजिए, {problem}।",
    "ask_lab_time": "सैंपल कब लें? जैसे 'कल सुबह 7 बजे' या 'शनिवार सुबह'।",
    "ask_lab_slot": "{summary} सैंपल का स्लॉट चुनिए:",
    "no_lab_slots": "माफ़ कीजिए, उस समय कोई स्लॉट खाली नहीं है।",
    "ask_avail_medicine": "कौन सी दवा देखूँ?",
    "ask_avail_pincode": "किस पिनकोड के लिए स्टॉक देखूँ?",
    "in_stock": "{brand} ({pack}) पिनकोड {pincode} के लिए स्टॉक में है: ₹{price:.2f} प्रति "
                "पैक।{rx}",
    "rx_note": " इसके लिए वैध पर्चा चाहिए।",
    "not_in_stock": "{brand} अभी पिनकोड {pincode} के लिए स्टॉक में नहीं है।",
    "subs_in_stock": "वही साल्ट और ताकत वाली, स्टॉक में: {names}।",
    "offer_order": "क्या मैं ऑर्डर कर दूँ?",
    "offer_order_one": "क्या इनमें से कोई ऑर्डर कर दूँ?",
    "order_button": "{brand} ऑर्डर करो",
}
for _key, _text in _DEVANAGARI.items():
    TEXT[_key].setdefault(HINDI_DEVANAGARI, _text)

# The care desk (bot/desk.py, bot/prescriptions.py): notices the customer gets.
TEXT.update({
    "desk_resolved": {
        "en": "Our care team has finished helping you; the assistant is back. Type 'agent' "
              "any time to reach a person again.",
        "hi": "Hamari care team ne aapki madad poori kar di; ab assistant phir se jawab dega. "
              "Kisi insaan se baat karni ho to 'agent' likhiye.",
        "hi-Deva": "हमारी केयर टीम ने आपकी मदद पूरी कर दी; अब असिस्टेंट फिर से जवाब देगा। "
                   "किसी इंसान से बात करनी हो तो 'agent' लिखिए।",
    },
    "rx_received": {
        "en": "Thanks, we have your prescription ({rx_id}). A pharmacist will check it "
              "and let you know.",
        "hi": "Shukriya, aapka prescription ({rx_id}) mil gaya. Pharmacist check karke "
              "aapko batayenge.",
        "hi-Deva": "धन्यवाद, आपका प्रिस्क्रिप्शन ({rx_id}) मिल गया। फ़ार्मासिस्ट जाँच करके "
                   "आपको बताएँगे।",
    },
    "rx_refused": {
        "en": "Sorry, we can only accept a prescription as a JPEG or PNG photo or a PDF "
              "of at most 10 MB.",
        "hi": "Maaf kijiye, prescription sirf JPEG/PNG photo ya PDF (10 MB tak) mein "
              "bhej sakte hain.",
        "hi-Deva": "माफ़ कीजिए, प्रिस्क्रिप्शन सिर्फ़ JPEG/PNG फ़ोटो या PDF (10 MB तक) में "
                   "भेज सकते हैं।",
    },
    "rx_approved": {
        "en": "Your prescription {rx_id} is approved for {medicines}, valid until {until}. "
              "You can reorder them now.",
        "hi": "Aapka prescription {rx_id} {medicines} ke liye approve ho gaya, {until} tak "
              "valid. Ab aap reorder kar sakte hain.",
        "hi-Deva": "आपका प्रिस्क्रिप्शन {rx_id} {medicines} के लिए मंज़ूर हो गया, {until} तक "
                   "मान्य। अब आप दोबारा ऑर्डर कर सकते हैं।",
    },
    "rx_rejected": {
        "en": "Sorry, our pharmacist could not accept prescription {rx_id}: {reason}. "
              "Please send a clearer photo or a new prescription.",
        "hi": "Maaf kijiye, pharmacist prescription {rx_id} accept nahi kar paaye: "
              "{reason}. Kripya saaf photo ya naya prescription bhejiye.",
        "hi-Deva": "माफ़ कीजिए, फ़ार्मासिस्ट प्रिस्क्रिप्शन {rx_id} स्वीकार नहीं कर पाए: "
                   "{reason}। कृपया साफ़ फ़ोटो या नया प्रिस्क्रिप्शन भेजिए।",
    },
})


# -- questions that are not bookings (actions/questions.py): price, fasting, report time,
# doctor fees; answered from the catalogue, then booking is only offered ---------------
TEXT.update({
    "q_test_price": {
        "en": "{name}: ₹{price:.0f}, sample collected at home.",
        "hi": "{name}: ₹{price:.0f}, sample ghar se liya jaata hai.",
        HINDI_DEVANAGARI: "{name}: ₹{price:.0f}, सैंपल घर से लिया जाता है।",
    },
    "q_tests_total": {
        "en": "Together: ₹{total:.0f}.",
        "hi": "Sab milakar: ₹{total:.0f}.",
        HINDI_DEVANAGARI: "कुल: ₹{total:.0f}।",
    },
    "q_package": {
        "en": "The {package} (₹{price:.0f}) covers {covers} for less: you save ₹{saving:.0f}.",
        "hi": "{package} (₹{price:.0f}) mein {covers} sasta padta hai: ₹{saving:.0f} bachenge.",
        HINDI_DEVANAGARI: "{package} (₹{price:.0f}) में {covers} सस्ते पड़ते हैं: ₹{saving:.0f} "
                          "बचेंगे।",
    },
    "q_fast": {
        "en": "{name}: fast for {span} hours before the sample; water is fine.",
        "hi": "{name}: sample se pehle {span} ghante khali pet rahiye; paani pee sakte hain.",
        HINDI_DEVANAGARI: "{name}: सैंपल से पहले {span} घंटे खाली पेट रहिए; पानी पी सकते हैं।",
    },
    "q_no_fast": {
        "en": "{name}: no fasting needed, you can eat and drink as usual.",
        "hi": "{name}: fasting ki zaroorat nahi, aap kha-pee sakte hain.",
        HINDI_DEVANAGARI: "{name}: खाली पेट रहने की ज़रूरत नहीं, आप खा-पी सकते हैं।",
    },
    "q_notes": {"en": "Also: {notes}."},
    "q_report_hours": {
        "en": "{name}: the report is usually ready within {n} hours of the sample.",
        "hi": "{name}: report aam taur par sample ke {n} ghante mein aa jaati hai.",
        HINDI_DEVANAGARI: "{name}: रिपोर्ट आम तौर पर सैंपल के {n} घंटे में आ जाती है।",
    },
    "q_report_days": {
        "en": "{name}: the report is usually ready within {n} days of the sample.",
        "hi": "{name}: report aam taur par sample ke {n} din mein aa jaati hai.",
        HINDI_DEVANAGARI: "{name}: रिपोर्ट आम तौर पर सैंपल के {n} दिन में आ जाती है।",
    },
    "q_offer_lab": {
        "en": "Shall I book it? I'll only book when you ask.",
        "hi": "Book kar doon? Aap kahenge tabhi book karunga.",
        HINDI_DEVANAGARI: "बुक कर दूँ? आप कहेंगे तभी बुक करूँगा।",
    },
    "q_book_test_button": {
        "en": "Book {name}",
        "hi": "{name} book karo",
        HINDI_DEVANAGARI: "{name} बुक करो",
    },
    "q_not_now": {"en": "Not now", "hi": "Abhi nahi", HINDI_DEVANAGARI: "अभी नहीं"},
    "q_doctor_fee": {
        "en": "A call with a {speciality} costs ₹{low:.0f}–₹{high:.0f}, depending on the "
              "doctor; you see the fee before you confirm.",
        "hi": "{speciality} se call ki fees ₹{low:.0f}–₹{high:.0f} hai, doctor ke hisaab se; "
              "confirm karne se pehle fees dikhegi.",
        HINDI_DEVANAGARI: "{speciality} से कॉल की फ़ीस ₹{low:.0f}–₹{high:.0f} है, डॉक्टर के "
                          "हिसाब से; पक्का करने से पहले फ़ीस दिखेगी।",
    },
    "q_doctor_fee_one": {
        "en": "A call with a {speciality} costs ₹{low:.0f}.",
        "hi": "{speciality} se call ki fees ₹{low:.0f} hai.",
        HINDI_DEVANAGARI: "{speciality} से कॉल की फ़ीस ₹{low:.0f} है।",
    },
    "q_doctor_fee_all": {
        "en": "A doctor call costs ₹{low:.0f}–₹{high:.0f}, depending on the doctor and "
              "speciality; you see the fee before you confirm.",
        "hi": "Doctor call ki fees ₹{low:.0f}–₹{high:.0f} hai, doctor aur speciality ke "
              "hisaab se; confirm karne se pehle fees dikhegi.",
        HINDI_DEVANAGARI: "डॉक्टर कॉल की फ़ीस ₹{low:.0f}–₹{high:.0f} है, डॉक्टर और विशेषज्ञता के "
                          "हिसाब से; पक्का करने से पहले फ़ीस दिखेगी।",
    },
    "q_offer_doctor": {
        "en": "Would you like to book a call? I'll only book when you ask.",
        "hi": "Call book karni hai? Aap kahenge tabhi book karunga.",
        HINDI_DEVANAGARI: "कॉल बुक करनी है? आप कहेंगे तभी बुक करूँगा।",
    },
    "q_book_doctor_button": {
        "en": "Book a {speciality} call",
        "hi": "{speciality} call book karo",
        HINDI_DEVANAGARI: "{speciality} कॉल बुक करो",
    },
    "q_medicine_price": {
        "en": "{brand} ({pack}): ₹{price:.2f} per pack (MRP).{rx}",
        "hi": "{brand} ({pack}): ₹{price:.2f} per pack (MRP).{rx}",
        HINDI_DEVANAGARI: "{brand} ({pack}): ₹{price:.2f} प्रति पैक (MRP)।{rx}",
    },
    "q_which_test_price": {
        "en": "Which test would you like the price of? For example 'HbA1c', 'lipid profile' "
              "or 'thyroid profile'.",
        "hi": "Kis test ka price jaanna hai? Jaise 'HbA1c', 'lipid profile' ya 'thyroid "
              "profile'.",
        HINDI_DEVANAGARI: "किस टेस्ट का दाम जानना है? जैसे 'HbA1c', 'लिपिड प्रोफ़ाइल' या "
                          "'थायरॉइड प्रोफ़ाइल'।",
    },
    "q_which_test_fasting": {
        "en": "Which test is it? For example 'lipid profile' or 'fasting blood sugar': "
              "I'll tell you how to prepare.",
        "hi": "Kaunsa test hai? Jaise 'lipid profile' ya 'fasting sugar': main bataunga "
              "kaise tayari karni hai.",
        HINDI_DEVANAGARI: "कौन सा टेस्ट है? जैसे 'लिपिड प्रोफ़ाइल' या 'फ़ास्टिंग शुगर': मैं "
                          "बताऊँगा कैसे तैयारी करनी है।",
    },
    "q_which_test_report": {
        "en": "Which test's report? For example 'thyroid profile' or 'CBC': I'll tell you "
              "how long it usually takes.",
        "hi": "Kis test ki report? Jaise 'thyroid profile' ya 'CBC': main bataunga aam taur "
              "par kitna time lagta hai.",
        HINDI_DEVANAGARI: "किस टेस्ट की रिपोर्ट? जैसे 'थायरॉइड प्रोफ़ाइल' या 'CBC': मैं बताऊँगा "
                          "आम तौर पर कितना समय लगता है।",
    },
})

# -- new and anonymous customers, customers with several orders (bot/customers.py,
#    bot/order_choice.py, actions/customer_identity.py) ---------------------------------
TEXT.update({
    # -- several orders ------------------------------------------------------------------
    "orders_list_head": {
        "en": "Here are your orders:",
        "hi": "Yeh rahe aapke orders:",
        "hi-Deva": "ये रहे आपके ऑर्डर:",
    },
    "orders_list_line": {
        "en": "{n}. {order_id}: {items}, {status}. {eta}",
        "hi": "{n}. {order_id}: {items}, {status}. {eta}",
        "hi-Deva": "{n}. {order_id}: {items}, {status}। {eta}",
    },
    "orders_list_pick": {
        "en": "Which one would you like to know about? Say e.g. 'the second one' or 'the one "
              "with {brand}'.",
        "hi": "Kis order ke baare mein jaanna hai? Jaise 'dusra wala' ya '{brand} wala' "
              "likhiye.",
        "hi-Deva": "किस ऑर्डर के बारे में जानना है? जैसे 'दूसरा वाला' या '{brand} वाला' लिखिए।",
    },
    "orders_none_recent": {
        "en": "I don't see any open or recent orders on your account.",
        "hi": "Aapke account mein abhi koi open ya haal ka order nahi dikh raha.",
        "hi-Deva": "आपके खाते में अभी कोई चालू या हाल का ऑर्डर नहीं दिख रहा।",
    },
    "orders_other_open_one": {
        "en": "You also have another open order, {order_id} ({items}), which is {status}.",
        "hi": "Aapka ek aur order khula hai, {order_id} ({items}), jo {status}.",
        "hi-Deva": "आपका एक और ऑर्डर चालू है, {order_id} ({items}), जो {status}।",
    },
    "orders_other_open_many": {
        "en": "You also have {count} other open orders ({ids}); say 'show my orders' to see "
              "them all.",
        "hi": "Aapke {count} aur orders khule hain ({ids}); sab dekhne ke liye 'mere orders "
              "dikhao' likhiye.",
        "hi-Deva": "आपके {count} और ऑर्डर चालू हैं ({ids}); सब देखने के लिए 'मेरे ऑर्डर "
                   "दिखाओ' लिखिए।",
    },
    "order_which": {
        "en": "Which order do you mean?",
        "hi": "Aap kaunse order ki baat kar rahe hain?",
        "hi-Deva": "आप किस ऑर्डर की बात कर रहे हैं?",
    },
    "already_on_its_way": {
        "en": "Note: {brand} is already on its way to you in order {order_id} ({status}). "
              "{eta}",
        "hi": "Dhyan dijiye: {brand} pehle se order {order_id} mein aapke paas aa rahi hai "
              "({status}). {eta}",
        "hi-Deva": "ध्यान दीजिए: {brand} पहले से ऑर्डर {order_id} में आपके पास आ रही है "
                   "({status})। {eta}",
    },
    # -- identity by phone and one-time code --------------------------------------------
    "ask_verify_phone": {
        "en": "Happy to help. So I know who you are, please type your 10-digit mobile number "
              "and I'll send you a one-time code by SMS (no order number needed). If you "
              "have an account, you can also sign in on our website.",
        "hi": "Zaroor. Aapki pehchaan ke liye apna 10 digit mobile number likhiye, main SMS "
              "se ek one-time code bhejunga (order number ki zaroorat nahi). Account hai to "
              "website par sign in bhi kar sakte hain.",
        "hi-Deva": "ज़रूर। आपकी पहचान के लिए अपना 10 अंकों का मोबाइल नंबर लिखिए, मैं SMS से "
                   "एक वन-टाइम कोड भेजूँगा (ऑर्डर नंबर की ज़रूरत नहीं)। खाता हो तो वेबसाइट "
                   "पर साइन इन भी कर सकते हैं।",
    },
    "ask_verify_phone_no_order": {
        "en": "No problem, you don't need an order number. Type your 10-digit mobile number "
              "and I'll send you a one-time code by SMS. Or sign in on our website, or reply "
              "'agent' to talk to a person.",
        "hi": "Koi baat nahi, order number ki zaroorat nahi. Apna 10 digit mobile number "
              "likhiye, main SMS se one-time code bhejunga. Ya website par sign in kijiye, ya "
              "kisi insaan se baat ke liye 'agent' likhiye.",
        "hi-Deva": "कोई बात नहीं, ऑर्डर नंबर की ज़रूरत नहीं। अपना 10 अंकों का मोबाइल नंबर "
                   "लिखिए, मैं SMS से वन-टाइम कोड भेजूँगा। या वेबसाइट पर साइन इन कीजिए, या "
                   "किसी व्यक्ति से बात के लिए 'agent' लिखिए।",
    },
    "verify_bad_phone": {
        "en": "That doesn't look like an Indian mobile number: 10 digits starting with 6, 7, "
              "8 or 9 (e.g. 98123 45678).",
        "hi": "Yeh Indian mobile number jaisa nahi lag raha: 10 digits, 6, 7, 8 ya 9 se "
              "shuru (jaise 98123 45678).",
        "hi-Deva": "यह भारतीय मोबाइल नंबर जैसा नहीं लग रहा: 10 अंक, 6, 7, 8 या 9 से शुरू "
                   "(जैसे 98123 45678)।",
    },
    "ask_verify_code": {
        "en": "I've sent a 6-digit code by SMS to {phone}. Please type it here; it is valid "
              "for 5 minutes.",
        "hi": "Maine {phone} par SMS se 6 digit ka code bheja hai. Use yahan likhiye; yeh 5 "
              "minute tak chalega.",
        "hi-Deva": "मैंने {phone} पर SMS से 6 अंकों का कोड भेजा है। उसे यहाँ लिखिए; यह 5 "
                   "मिनट तक चलेगा।",
    },
    "verify_code_wrong": {
        "en": "That code doesn't match. Please check the SMS and try again.",
        "hi": "Yeh code match nahi hua. SMS dekh kar phir se likhiye.",
        "hi-Deva": "यह कोड मेल नहीं खाया। SMS देखकर फिर से लिखिए।",
    },
    "verify_code_new": {
        "en": "That code has expired or was used up. Type your mobile number again and I'll "
              "send a new one.",
        "hi": "Yeh code expire ho gaya ya uske tries khatam ho gaye. Mobile number phir se "
              "likhiye, main naya code bhejunga.",
        "hi-Deva": "यह कोड समाप्त हो गया या उसकी कोशिशें खत्म हो गईं। मोबाइल नंबर फिर से "
                   "लिखिए, मैं नया कोड भेजूँगा।",
    },
    "verify_code_limited": {
        "en": "Too many codes were asked for just now. Please try again in an hour, sign in "
              "on our website, or reply 'agent' to talk to a person.",
        "hi": "Abhi bahut saare code maange gaye hain. Ek ghante baad try kijiye, website par "
              "sign in kijiye, ya 'agent' likhiye.",
        "hi-Deva": "अभी बहुत सारे कोड माँगे गए हैं। एक घंटे बाद कोशिश कीजिए, वेबसाइट पर साइन "
                   "इन कीजिए, या 'agent' लिखिए।",
    },
    "verified_new_customer": {
        "en": "Thanks, your number is verified. Welcome! I've set up your account with it.",
        "hi": "Shukriya, aapka number verify ho gaya. Swagat hai! Isi number se aapka account "
              "bana diya hai.",
        "hi-Deva": "धन्यवाद, आपका नंबर वेरिफ़ाई हो गया। स्वागत है! इसी नंबर से आपका खाता बना "
                   "दिया है।",
    },
    # -- a question the customer can't answer ------------------------------------------
    "cant_answer_offer": {
        "en": "No problem, let's do it another way.",
        "hi": "Koi baat nahi, dusre tareeke se karte hain.",
        "hi-Deva": "कोई बात नहीं, दूसरे तरीके से करते हैं।",
    },
    "cant_answer_code": {
        "en": "No problem. If the SMS hasn't arrived, type your mobile number again for a new "
              "code, sign in on our website, or talk to a person from our care team.",
        "hi": "Koi baat nahi. SMS nahi aaya to mobile number phir se likhiye, naya code "
              "bhejunga; ya website par sign in kijiye, ya hamari care team se baat kijiye.",
        "hi-Deva": "कोई बात नहीं। SMS नहीं आया तो मोबाइल नंबर फिर से लिखिए, नया कोड भेजूँगा; "
                   "या वेबसाइट पर साइन इन कीजिए, या हमारी केयर टीम से बात कीजिए।",
    },
    "cant_answer_phone": {
        "en": "No problem. You can sign in on our website instead, or a person from our care "
              "team can help you.",
        "hi": "Koi baat nahi. Aap website par sign in kar sakte hain, ya hamari care team "
              "madad kar sakti hai.",
        "hi-Deva": "कोई बात नहीं। आप वेबसाइट पर साइन इन कर सकते हैं, या हमारी केयर टीम मदद कर "
                   "सकती है।",
    },
    "path_phone_button": {"en": "Verify with my mobile", "hi": "Mobile number se verify",
                          "hi-Deva": "मोबाइल नंबर से वेरिफ़ाई"},
    "path_person_button": {"en": "Talk to a person", "hi": "Kisi insaan se baat",
                           "hi-Deva": "किसी व्यक्ति से बात"},
    "path_stop_button": {"en": "Leave it", "hi": "Rehne do", "hi-Deva": "रहने दो"},
    # -- a call back for an anonymous visitor -------------------------------------------
    "ask_callback_phone": {
        "en": "Sure, a person from our care team will call you. Which mobile number should "
              "they call? (10 digits)",
        "hi": "Zaroor, hamari care team ka koi aapko call karega. Kis mobile number par call "
              "karein? (10 digits)",
        "hi-Deva": "ज़रूर, हमारी केयर टीम से कोई आपको कॉल करेगा। किस मोबाइल नंबर पर कॉल करें? "
                   "(10 अंक)",
    },
    "callback_declined": {
        "en": "Okay. Without a number our team can't call you back. You can sign in on our "
              "website, or write 'agent' again whenever you'd like a call.",
        "hi": "Theek hai. Number ke bina hamari team call nahi kar sakti. Website par sign in "
              "kijiye, ya jab call chahiye tab 'agent' likhiye.",
        "hi-Deva": "ठीक है। नंबर के बिना हमारी टीम कॉल नहीं कर सकती। वेबसाइट पर साइन इन कीजिए, "
                   "या जब कॉल चाहिए तब 'agent' लिखिए।",
    },
    "callback_on": {
        "en": "We'll call you on {phone}.",
        "hi": "Hum aapko {phone} par call karenge.",
        "hi-Deva": "हम आपको {phone} पर कॉल करेंगे।",
    },
})


def say(key: str, lang: str | None = None, **values: Any) -> str:
    """The reply text for ``key`` in ``lang`` (English fallback), with ``values`` filled in."""
    entry = TEXT[key]
    template = entry.get(lang or ENGLISH)
    if template is None and lang == HINDI_DEVANAGARI:
        template = entry.get(HINDI)
    if template is None:
        template = entry[ENGLISH]
    return template.format(**values) if values else template


def button(title: str, payload: str) -> dict[str, str]:
    return {"title": title, "payload": payload}


# -- bookings the customer manages (bot/bookings.py, bot/bookings_text.py, actions/bookings.py,
# and the slot-offer explanations of actions/doctor.py and actions/lab.py).
TEXT.update({
    "bookings_none": {
        "en": "You have no upcoming doctor calls or lab collections.",
        "hi": "Aapki koi aane wali doctor call ya lab collection booking nahi hai.",
        "hi-Deva": "आपकी कोई आने वाली डॉक्टर कॉल या लैब सैंपल बुकिंग नहीं है।",
    },
    "bookings_list": {
        "en": "Your upcoming bookings:\n{lines}\nSay 'move' or 'cancel' with the booking ID "
              "to change one.",
        "hi": "Aapki aane wali bookings:\n{lines}\nBadalni ho to booking ID ke saath 'move' "
              "ya 'cancel' likhiye.",
        "hi-Deva": "आपकी आने वाली बुकिंग:\n{lines}\nबदलनी हो तो बुकिंग ID के साथ 'move' या "
                   "'cancel' लिखिए।",
    },
    "booking_line_doctor": {
        "en": "{booking_id}: call with {doctor} ({speciality}) {when}",
        "hi": "{booking_id}: {doctor} ({speciality}) ke saath call {when}",
        "hi-Deva": "{booking_id}: {doctor} ({speciality}) के साथ कॉल {when}",
    },
    "booking_line_lab": {
        "en": "{booking_id}: home collection for {tests} {when}",
        "hi": "{booking_id}: {tests} ke liye ghar se sample {when}",
        "hi-Deva": "{booking_id}: {tests} के लिए घर से सैंपल {when}",
    },
    "booking_which_cancel": {
        "en": "You have more than one booking. Which one should I cancel?",
        "hi": "Aapki ek se zyada bookings hain. Kaunsi cancel karun?",
        "hi-Deva": "आपकी एक से ज़्यादा बुकिंग हैं। कौन सी कैंसिल करूँ?",
    },
    "booking_which_move": {
        "en": "You have more than one booking. Which one should I move?",
        "hi": "Aapki ek se zyada bookings hain. Kaunsi badlun?",
        "hi-Deva": "आपकी एक से ज़्यादा बुकिंग हैं। कौन सी बदलूँ?",
    },
    "booking_need_identity": {
        "en": "To see or change your bookings, please sign in, or tell me your order number "
              "and the last 4 digits of your registered mobile number.",
        "hi": "Bookings dekhne ya badalne ke liye sign in kijiye, ya order number aur "
              "registered mobile ke aakhri 4 ank bataiye.",
        "hi-Deva": "बुकिंग देखने या बदलने के लिए साइन इन कीजिए, या ऑर्डर नंबर और रजिस्टर्ड "
                   "मोबाइल के आखिरी 4 अंक बताइए।",
    },
    "booking_not_found": {
        "en": "I couldn't find that booking in your account.",
        "hi": "Yeh booking aapke account mein nahi mili.",
        "hi-Deva": "यह बुकिंग आपके खाते में नहीं मिली।",
    },
    "booking_not_live": {
        "en": "Booking {booking_id} is already {status}, so there is nothing to change.",
        "hi": "Booking {booking_id} pehle se {status} hai, isliye badalne ko kuch nahi hai.",
        "hi-Deva": "बुकिंग {booking_id} पहले से {status} है, इसलिए बदलने को कुछ नहीं है।",
    },
    "booking_started": {
        "en": "That booking has already started, so I can't change it now. Reply 'agent' "
              "and our care team will help.",
        "hi": "Yeh booking shuru ho chuki hai, ab badal nahi sakte. 'agent' likhiye, hamari "
              "team madad karegi.",
        "hi-Deva": "यह बुकिंग शुरू हो चुकी है, अब बदल नहीं सकते। 'agent' लिखिए, हमारी टीम "
                   "मदद करेगी।",
    },
    "booking_cancelled_doctor_full": {
        "en": "Done: your call with {doctor} {when} (booking {booking_id}) is cancelled and "
              "the slot is freed. The consultation fee of ₹{fee} will be refunded in full to "
              "your original payment method within 5–7 working days.",
        "hi": "Ho gaya: {doctor} ke saath {when} wali call (booking {booking_id}) cancel ho "
              "gayi aur slot khaali kar diya. ₹{fee} ki poori fees 5–7 working din mein aapke "
              "original payment method mein refund ho jaayegi.",
        "hi-Deva": "हो गया: {doctor} के साथ {when} वाली कॉल (बुकिंग {booking_id}) कैंसिल हो "
                   "गई और स्लॉट खाली कर दिया। ₹{fee} की पूरी फ़ीस 5–7 कामकाजी दिनों में आपके "
                   "मूल भुगतान तरीके में वापस आ जाएगी।",
    },
    "booking_cancelled_doctor_none": {
        "en": "Done: your call with {doctor} {when} (booking {booking_id}) is cancelled and "
              "the slot is freed. As it was cancelled less than 2 hours before the call, the "
              "fee of ₹{fee} is not refunded (moving a call is free until it starts).",
        "hi": "Ho gaya: {doctor} ke saath {when} wali call (booking {booking_id}) cancel ho "
              "gayi aur slot khaali kar diya. Call se 2 ghante se kam pehle cancel hui, isliye "
              "₹{fee} ki fees refund nahi hogi (call shuru hone tak time badalna free hai).",
        "hi-Deva": "हो गया: {doctor} के साथ {when} वाली कॉल (बुकिंग {booking_id}) कैंसिल हो "
                   "गई और स्लॉट खाली कर दिया। कॉल से 2 घंटे से कम पहले कैंसिल हुई, इसलिए "
                   "₹{fee} की फ़ीस वापस नहीं होगी (कॉल शुरू होने तक समय बदलना मुफ़्त है)।",
    },
    "booking_cancelled_lab": {
        "en": "Done: your home collection for {tests} {when} (booking {booking_id}) is "
              "cancelled and the slot is freed. Nothing was charged: lab tests are paid at "
              "collection.",
        "hi": "Ho gaya: {tests} ke liye {when} wala ghar se sample (booking {booking_id}) "
              "cancel ho gaya aur slot khaali kar diya. Koi paisa nahi laga: lab test ka "
              "payment sample ke samay hota hai.",
        "hi-Deva": "हो गया: {tests} के लिए {when} वाला घर से सैंपल (बुकिंग {booking_id}) "
                   "कैंसिल हो गया और स्लॉट खाली कर दिया। कोई पैसा नहीं लगा: लैब टेस्ट का "
                   "भुगतान सैंपल के समय होता है।",
    },
    "booking_kept": {
        "en": "Okay, your booking stays as it is. Anything else I can help with?",
        "hi": "Theek hai, aapki booking waise hi rahegi. Aur kuch madad chahiye?",
        "hi-Deva": "ठीक है, आपकी बुकिंग वैसी ही रहेगी। और कुछ मदद चाहिए?",
    },
    "booking_ask_new_time": {
        "en": "It's booked for {when}. What time should I move it to? For example "
              "'tomorrow 10:30 am'.",
        "hi": "Abhi {when} booked hai. Kis time par badlun? Jaise 'kal subah 10:30 baje'.",
        "hi-Deva": "अभी {when} बुक है। किस समय पर बदलूँ? जैसे 'कल सुबह 10:30 बजे'।",
    },
    "booking_moved_doctor": {
        "en": "Done: your call (booking {booking_id}) is moved from {old} to {when} with "
              "{doctor}{fee}. The old slot is freed, so you have one call, not two.",
        "hi": "Ho gaya: aapki call (booking {booking_id}) {old} se {when} par badal di, "
              "{doctor} ke saath{fee}. Purana slot khaali kar diya, aapki ek hi call hai.",
        "hi-Deva": "हो गया: आपकी कॉल (बुकिंग {booking_id}) {old} से {when} पर बदल दी, "
                   "{doctor} के साथ{fee}। पुराना स्लॉट खाली कर दिया, आपकी एक ही कॉल है।",
    },
    "booking_moved_fee": {"en": "; the fee is ₹{fee}", "hi": "; fees ₹{fee}",
                          "hi-Deva": "; फ़ीस ₹{fee}"},
    "booking_moved_lab": {
        "en": "Done: your home collection for {tests} (booking {booking_id}) is moved from "
              "{old} to {when}. The old slot is freed.",
        "hi": "Ho gaya: {tests} ke liye ghar se sample (booking {booking_id}) {old} se {when} "
              "par badal diya. Purana slot khaali kar diya.",
        "hi-Deva": "हो गया: {tests} के लिए घर से सैंपल (बुकिंग {booking_id}) {old} से {when} "
                   "पर बदल दिया। पुराना स्लॉट खाली कर दिया।",
    },
    "booking_move_pick": {
        "en": "{reason}Pick a new time for booking {booking_id}:",
        "hi": "{reason}Booking {booking_id} ke liye naya time chuniye:",
        "hi-Deva": "{reason}बुकिंग {booking_id} के लिए नया समय चुनिए:",
    },
    "booking_no_free_times": {
        "en": "Sorry, I couldn't find a free time around {asked}. Your booking stays at "
              "{when}.",
        "hi": "Maaf kijiye, {asked} ke aas-paas koi khaali time nahi mila. Aapki booking "
              "{when} hi rahegi.",
        "hi-Deva": "माफ़ कीजिए, {asked} के आसपास कोई खाली समय नहीं मिला। आपकी बुकिंग {when} "
                   "ही रहेगी।",
    },
    # Why the slots offered are not at the time asked (ends with a space: a sentence
    # that goes before the offer).
    "time_not_free_doctor": {
        "en": "No {speciality} is free {asked}; these are the nearest free times. ",
        "hi": "{asked} koi {speciality} free nahi hai; yeh sabse paas ke khaali time hain. ",
        "hi-Deva": "{asked} कोई {speciality} खाली नहीं है; ये सबसे पास के खाली समय हैं। ",
    },
    "time_not_free_lab": {
        "en": "No collection slot is free {asked}; these are the nearest. ",
        "hi": "{asked} koi collection slot khaali nahi hai; yeh sabse paas wale hain. ",
        "hi-Deva": "{asked} कोई सैंपल स्लॉट खाली नहीं है; ये सबसे पास वाले हैं। ",
    },
    "fasting_morning_only": {
        "en": "{tests} need {span} hours of fasting, so we collect them before 10 am, not "
              "{asked}; these are the nearest morning slots. If you will stay fasting until "
              "then, say 'I will fast' and I'll book {asked}. ",
        "hi": "{tests} ke liye {span} ghante khaali pet rehna hota hai, isliye sample subah "
              "10 baje se pehle lete hain, {asked} nahi; yeh sabse paas ke subah ke slots "
              "hain. Agar tab tak khaali pet rahenge to 'main fast rahunga' likhiye, main "
              "{asked} book kar dunga. ",
        "hi-Deva": "{tests} के लिए {span} घंटे खाली पेट रहना होता है, इसलिए सैंपल सुबह 10 बजे "
                   "से पहले लेते हैं, {asked} नहीं; ये सबसे पास के सुबह के स्लॉट हैं। अगर "
                   "तब तक खाली पेट रहेंगे तो 'मैं व्रत रखूँगा' लिखिए, मैं {asked} बुक कर "
                   "दूँगा। ",
    },
    "fasting_late_note": {
        "en": "As you'll fast until the collection, have nothing but water for {span} hours "
              "before it.",
        "hi": "Aap sample tak khaali pet rahenge: sample se {span} ghante pehle tak sirf "
              "paani.",
        "hi-Deva": "आप सैंपल तक खाली पेट रहेंगे: सैंपल से {span} घंटे पहले तक सिर्फ़ पानी।",
    },
    "lab_package_offer": {
        "en": "Tip: the {package} package ({price}) covers {covers}{extra}, for less than "
              "the {separate} they cost separately. Pick 'Book {package}' to take it instead.",
        "hi": "Sujhav: {package} package ({price}) mein {covers}{extra} aa jaate hain, alag "
              "alag ke {separate} se kam mein. Lena ho to 'Book {package}' chuniye.",
        "hi-Deva": "सुझाव: {package} पैकेज ({price}) में {covers}{extra} आ जाते हैं, अलग-अलग "
                   "के {separate} से कम में। लेना हो तो 'Book {package}' चुनिए।",
    },
    "lab_package_extra": {"en": " (and also {names})", "hi": " (saath mein {names} bhi)",
                          "hi-Deva": " (साथ में {names} भी)"},
    "lab_package_button": {"en": "Book {package} ({price})", "hi": "Book {package} ({price})",
                           "hi-Deva": "{package} बुक करो ({price})"},
    "lab_package_taken": {
        "en": "Okay, I've switched to the {package} package ({price}).",
        "hi": "Theek hai, {package} package ({price}) le liya.",
        "hi-Deva": "ठीक है, {package} पैकेज ({price}) ले लिया।",
    },
    "doctor_language_some": {
        "en": "Of these doctors, {doctors} speak{s} {language}. I'll only offer doctors who "
              "speak {language} now.",
        "hi": "Inmein se {doctors} {language} bolte hain. Ab sirf {language} bolne wale "
              "doctor dikhaunga.",
        "hi-Deva": "इनमें से {doctors} {language} बोलते हैं। अब सिर्फ़ {language} बोलने वाले "
                   "डॉक्टर दिखाऊँगा।",
    },
    "doctor_language_none": {
        "en": "None of these doctors speaks {language}. I'll only offer doctors who speak "
              "{language}.",
        "hi": "Inmein se koi doctor {language} nahi bolte. Ab sirf {language} bolne wale "
              "doctor dikhaunga.",
        "hi-Deva": "इनमें से कोई डॉक्टर {language} नहीं बोलते। अब सिर्फ़ {language} बोलने "
                   "वाले डॉक्टर दिखाऊँगा।",
    },
    "no_doctor_in_language": {
        "en": "Sorry, no {speciality} who speaks {language} is free around then.",
        "hi": "Maaf kijiye, us samay {language} bolne wale {speciality} free nahi hain.",
        "hi-Deva": "माफ़ कीजिए, उस समय {language} बोलने वाले {speciality} खाली नहीं हैं।",
    },
})


# -- medicines we don't stock (bot/unstocked.py, actions/availability.py) ----------------------
TEXT.update({
    "not_stocked_alternatives": {
        "en": "We don't stock {name}. Same salt and strength ({generic} {strength}) in our "
              "catalogue: {names}. I'll check those for you.",
        "hi": "{name} hamare paas nahi milti. Same salt aur strength ({generic} {strength}) "
              "wali hamare catalogue mein: {names}. Main inka stock check karta hoon.",
        "hi-Deva": "{name} हमारे यहाँ नहीं मिलती। वही साल्ट और ताकत ({generic} {strength}) "
                   "वाली हमारी सूची में: {names}। मैं इनका स्टॉक देखता हूँ।",
    },
    "not_stocked_pharmacist": {
        "en": "We don't stock {name}{salt}, and I can't offer a same-salt alternative for it "
              "here. Would you like a pharmacist to help?",
        "hi": "{name}{salt} hamare paas nahi milti, aur iski same salt wali dawai main yahan "
              "nahi de sakta. Kya pharmacist se baat karwa doon?",
        "hi-Deva": "{name}{salt} हमारे यहाँ नहीं मिलती, और इसकी वही साल्ट वाली दवा मैं यहाँ "
                   "नहीं दे सकता। क्या फ़ार्मासिस्ट से बात करवा दूँ?",
    },
    "not_stocked_salt": {"en": " ({generic})", "hi": " ({generic})", "hi-Deva": " ({generic})"},
    "not_stocked_unknown": {
        "en": "I couldn't find '{name}' in our catalogue, so we may not stock it. Please check "
              "the spelling, or would you like a pharmacist to help?",
        "hi": "'{name}' hamare catalogue mein nahi mili, shayad hum ise nahi rakhte. Spelling "
              "check kijiye, ya pharmacist se baat karwa doon?",
        "hi-Deva": "'{name}' हमारी सूची में नहीं मिली, शायद हम इसे नहीं रखते। नाम जाँचिए, या "
                   "फ़ार्मासिस्ट से बात करवा दूँ?",
    },
})
