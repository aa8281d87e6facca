"""Tests for channels.render.whatsapp (Cloud API payloads and webhook parsing)."""

from channels.render.whatsapp import InboundWhatsApp, parse_webhook, render

TO = "919812345678"


def _buttons(n, title="Option"):
    return [{"title": f"{title} {i}", "payload": f"/choose_{i}"} for i in range(1, n + 1)]


def test_text_message():
    [payload] = render(TO, [{"text": "Your order **ML24081234** shipped: [track](https://t.example/1)"}])
    assert payload == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": TO,
        "type": "text",
        "text": {
            "preview_url": True,
            "body": "Your order *ML24081234* shipped: track: https://t.example/1",
        },
    }


def test_whatsapp_prefix_is_removed_from_recipient():
    [payload] = render("whatsapp:+919812345678", [{"text": "Hi"}])
    assert payload["to"] == "+919812345678"
    assert payload["text"]["preview_url"] is False


def test_up_to_three_buttons_use_reply_buttons():
    [payload] = render(TO, [{"text": "Cancel order?", "buttons": [
        {"title": "Yes, cancel my order now", "payload": "/affirm"},
        {"title": "No", "payload": "/deny"},
    ]}])
    interactive = payload["interactive"]
    assert payload["type"] == "interactive"
    assert interactive["type"] == "button"
    assert interactive["body"] == {"text": "Cancel order?"}
    buttons = interactive["action"]["buttons"]
    assert [b["type"] for b in buttons] == ["reply", "reply"]
    assert [b["reply"]["id"] for b in buttons] == ["/affirm", "/deny"]
    assert all(len(b["reply"]["title"]) <= 20 for b in buttons)
    assert buttons[0]["reply"]["title"].endswith("\u2026")


def test_four_to_ten_buttons_use_a_list():
    buttons = _buttons(5, "Apollo Pharmacy Koramangala")
    [payload] = render(TO, [{"text": "Pick a store", "buttons": buttons}])
    interactive = payload["interactive"]
    assert interactive["type"] == "list"
    assert len(interactive["action"]["button"]) <= 20
    rows = interactive["action"]["sections"][0]["rows"]
    assert len(rows) == 5
    assert all(len(r["title"]) <= 24 for r in rows)
    assert rows[0]["description"] == "Apollo Pharmacy Koramangala 1"
    assert rows[4]["id"] == "/choose_5"


def test_more_than_ten_buttons_are_capped():
    [payload] = render(TO, [{"text": "Pick", "buttons": _buttons(12)}])
    assert len(payload["interactive"]["action"]["sections"][0]["rows"]) == 10


def test_interactive_body_limit_and_default_prompt():
    [long_one] = render(TO, [{"text": "x" * 2000, "buttons": _buttons(2)}])
    assert len(long_one["interactive"]["body"]["text"]) == 1024
    [no_text] = render(TO, [{"buttons": _buttons(2)}])
    assert no_text["interactive"]["body"]["text"]


def test_one_payload_per_message_and_images():
    payloads = render(TO, [
        {"text": "First"},
        {"text": "Prescription received", "image": "https://img.example/rx.png"},
        {"text": ""},
    ])
    assert [p["type"] for p in payloads] == ["text", "text", "image"]
    assert payloads[2]["image"] == {"link": "https://img.example/rx.png"}


def _webhook(messages=None, statuses=None):
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "15550783881", "phone_number_id": "106540352242922"},
    }
    if messages is not None:
        value["contacts"] = [{"profile": {"name": "Asha"}, "wa_id": "919812345678"}]
        value["messages"] = messages
    if statuses is not None:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }


def test_parse_text_message():
    payload = _webhook([{
        "from": "919812345678",
        "id": "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
        "timestamp": "1739321024",
        "type": "text",
        "text": {"body": "Where is my order?"},
    }])
    assert parse_webhook(payload) == [InboundWhatsApp(
        phone_number_id="106540352242922",
        wa_id="919812345678",
        message_id="wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQUFERjg0NDEzNDdFODU3MUMxMAA=",
        message_type="text",
        text="Where is my order?",
        payload=None,
        timestamp="1739321024",
    )]


def test_parse_button_and_list_replies():
    context = {"from": "15550783881", "id": "wamid.CTX"}
    payload = _webhook([
        {"context": context, "from": "919812345678", "id": "wamid.1", "timestamp": "1",
         "type": "interactive",
         "interactive": {"type": "button_reply",
                         "button_reply": {"id": "/affirm", "title": "Yes"}}},
        {"context": context, "from": "919812345678", "id": "wamid.2", "timestamp": "2",
         "type": "interactive",
         "interactive": {"type": "list_reply", "list_reply": {
             "id": "/choose_2", "title": "Store 2", "description": "Indiranagar"}}},
        {"from": "919812345678", "id": "wamid.3", "timestamp": "3", "type": "button",
         "button": {"payload": "/track_order", "text": "Track order"}},
    ])
    parsed = parse_webhook(payload)
    assert [(m.payload, m.text) for m in parsed] == [
        ("/affirm", "Yes"), ("/choose_2", "Store 2"), ("/track_order", "Track order"),
    ]


def test_unsupported_types_are_returned_without_text():
    payload = _webhook([{"from": "919812345678", "id": "wamid.4", "timestamp": "4",
                         "type": "image", "image": {"id": "2754859441498128",
                                                     "mime_type": "image/jpeg"}}])
    [msg] = parse_webhook(payload)
    assert msg.message_type == "image" and msg.text is None and msg.payload is None


def test_statuses_are_ignored():
    payload = _webhook(statuses=[{"id": "wamid.X", "status": "delivered",
                                  "timestamp": "1", "recipient_id": "919812345678"}])
    assert parse_webhook(payload) == []


def test_other_objects_and_garbage_are_ignored():
    assert parse_webhook({"object": "page", "entry": []}) == []
    assert parse_webhook({}) == []
    assert parse_webhook({"object": "whatsapp_business_account", "entry": [{"changes": [
        {"field": "messages", "value": {"messages": [{"type": "text"}]}}]}]}) == []
