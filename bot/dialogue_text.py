"""Reply wording for the dialogue (English, and Hindi in Latin script for Hinglish writers).

Custom actions build their replies here so wording lives in one place. Responses that
rules utter directly (greet, help, …) are in ``domain.yml`` with ``language`` conditions.
``say(key, lang, **values)`` falls back to English when no Hindi text exists.
"""

from __future__ import annotations

import re
from typing import Any

ENGLISH, HINDI = "en", "hi"

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


def detect_language(text: Any, previous: str | None = None) -> str | None:
    """``"hi"`` for Hinglish, ``"en"`` for English, ``previous`` when the text can't tell.

    Short replies ("1234", "yes", a button payload) keep the earlier choice.
    """
    if not isinstance(text, str) or text.startswith("/"):
        return previous
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


def say(key: str, lang: str | None = None, **values: Any) -> str:
    """The reply text for ``key`` in ``lang`` (English fallback), with ``values`` filled in."""
    entry = TEXT[key]
    template = entry.get(lang or ENGLISH) or entry[ENGLISH]
    return template.format(**values) if values else template


def button(title: str, payload: str) -> dict[str, str]:
    return {"title": title, "payload": payload}
