"""Tests for channels.twiml."""

import xml.etree.ElementTree as ET

from channels.twiml import empty_response, message_response

DECL = '<?xml version="1.0" encoding="UTF-8"?>'


def test_message_response_escapes_text():
    xml = message_response("Tablets < 5 & syrup > 2\nReply 1 for Yes")
    assert xml.startswith(DECL + "<Response><Message>")
    assert "&lt; 5 &amp; syrup &gt; 2" in xml
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "Response"
    assert root.find("Message").text == "Tablets < 5 & syrup > 2\nReply 1 for Yes"


def test_message_response_drops_invalid_xml_chars_and_keeps_unicode():
    xml = message_response("नमस्ते\x00\x07 ₹224")
    assert ET.fromstring(xml.encode("utf-8")).find("Message").text == "नमस्ते ₹224"


def test_empty_response():
    assert empty_response() == DECL + "<Response></Response>"
    assert ET.fromstring(empty_response().encode()).find("Message") is None
