"""Wording for new and anonymous customers and for customers with several orders
(English, Hinglish, Devanagari Hindi), added to :data:`bot.dialogue_text.TEXT` on import,
so ``say(key, lang)`` finds them like every other reply."""

from __future__ import annotations

from bot.dialogue_text import TEXT

CUSTOMER_TEXT: dict[str, dict[str, str]] = {
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
}

for _key, _entry in CUSTOMER_TEXT.items():
    TEXT.setdefault(_key, _entry)


def masked_phone(e164: str) -> str:
    """'+91••••••••78': what a reply may show of a number (its last 2 digits only: the
    last 4 are a verification answer, and replies are stored with the conversation)."""
    if not isinstance(e164, str) or len(e164) < 8:
        return "•••"
    return e164[:3] + "•" * (len(e164) - 5) + e164[-2:]
