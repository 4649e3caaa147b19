"""WeCom's XML, read safely: the callback envelope and the decrypted message, no DOCTYPE, no entities.

XML is parsed by defusedxml, refusing any DOCTYPE / entity declaration / external reference (no XXE,
no billion-laughs) before an element is built; every failure is a WeComMalformedXmlError.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as defused

from bot.channels.wecom.contract import WeComMalformedXmlError

__all__ = ["MAX_INPUT_CHARS", "parse_message_xml", "safe_parse", "single_child_text"]

#: Upper bound for anything we agree to parse or decrypt.  Real callbacks are a
#: few KiB; the bound keeps a hostile body from costing more than a bounded
#: amount of CPU/RAM even if the HTTP layer forgot its own body limit.
MAX_INPUT_CHARS = 1 << 20


def safe_parse(xml_text: str | bytes) -> ET.Element:
    """Parse ``xml_text`` into an Element, refusing DTDs, entity declarations and external references.

    defusedxml is made for this: with ``forbid_dtd`` a DOCTYPE is refused before any entity could be
    declared or expanded (no XXE, no billion laughs), and its errors are mapped to one refusal here.
    """
    if isinstance(xml_text, str):
        data = xml_text.encode("utf-8", "surrogatepass")
    elif isinstance(xml_text, (bytes, bytearray, memoryview)):
        data = bytes(xml_text)
    else:
        raise WeComMalformedXmlError(f"XML must be str or bytes, not {type(xml_text).__name__}")
    if len(data) > MAX_INPUT_CHARS:
        raise WeComMalformedXmlError("XML body too large")
    try:
        root = defused.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise WeComMalformedXmlError("DOCTYPE/entity declarations are refused") from None
    except (ET.ParseError, ValueError, TypeError, RecursionError) as exc:
        raise WeComMalformedXmlError(f"malformed XML: {exc}") from None
    if not isinstance(root, ET.Element):  # pragma: no cover - fromstring raises first on an empty document
        raise WeComMalformedXmlError("empty XML document")
    return root


def single_child_text(root: ET.Element, tag: str) -> str:
    found = root.findall(tag)
    # A duplicated security field is a classic parser-confusion trick: refuse it
    # instead of guessing which copy the signature was computed over.
    if len(found) != 1:
        raise WeComMalformedXmlError(f"expected exactly one <{tag}>, found {len(found)}")
    return found[0].text or ""


def parse_message_xml(xml: str | bytes) -> dict[str, str]:
    """Flatten a decrypted WeCom message/event XML into ``{tag: text}``.

    Direct children of ``<xml>`` map to their text (CDATA or not), e.g.
    ToUserName, FromUserName, CreateTime, MsgType, Content, MsgId, AgentID,
    Event, EventKey.  Nested structures (ScanCodeInfo, SendPicsInfo, ...) are
    flattened as ``"Parent.Child"``; for repeated children the last one wins.
    """
    root = safe_parse(xml)
    out: dict[str, str] = {}

    def walk(elem: ET.Element, prefix: str) -> None:
        for child in elem:
            key = f"{prefix}{child.tag}"
            if len(child):
                walk(child, key + ".")
            else:
                out[key] = child.text or ""

    try:
        walk(root, "")
    except RecursionError:
        # Real messages nest two levels deep; absurd nesting is hostile input.
        raise WeComMalformedXmlError("XML nested too deeply") from None
    return out
