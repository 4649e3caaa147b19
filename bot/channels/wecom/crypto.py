"""WeCom (企业微信 / 政务微信) callback message encryption — "WXBizMsgCrypt".

A self-built WeCom application receives every callback (the URL-verification
GET handshake and each POSTed message or event) encrypted and signed with the
Token and EncodingAESKey configured in the admin console, and may answer a
POST with an encrypted passive reply.  This module is the pure, I/O-free part
of that protocol, written against the ``cryptography`` package:

* signature  = sha1_hex("".join(sorted([token, timestamp, nonce, encrypt])))
* key        = base64decode(EncodingAESKey + "=")  (43 chars -> 32 bytes)
* cipher     = AES-256-CBC, IV = key[:16]
* padding    = PKCS#7 to a 32-byte block (Tencent's convention, not 16)
* plaintext  = random(16) || big-endian uint32 len(msg) || msg || receive_id

``receive_id`` is the corp id for a self-built application (政务微信 uses the
same protocol with its own corp ids), the suite id for third-party suites.

Every failure on the *receiving* side raises :class:`WeComCryptoError` (a
subclass per reason, all with a ``.reason`` string) and never another
exception type, so the HTTP layer can map one exception to a 4xx answer.
XML is parsed with expat directly, refusing any DOCTYPE / entity declaration
(no XXE, no billion-laughs) before an element is built.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import struct
from typing import Any
from xml.etree import ElementTree as ET
from xml.parsers import expat

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

__all__ = [
    "BLOCK_SIZE",
    "WeComBadKeyError",
    "WeComCrypto",
    "WeComCryptoError",
    "WeComDecryptError",
    "WeComMalformedXmlError",
    "WeComReceiveIdError",
    "WeComSignatureError",
    "parse_message_xml",
]

#: Tencent pads to 32 bytes (their sample's PKCS7Encoder.block_size = 32).
BLOCK_SIZE = 32
_AES_BLOCK = 16
#: Upper bound for anything we agree to parse or decrypt.  Real callbacks are a
#: few KiB; the bound keeps a hostile body from costing more than a bounded
#: amount of CPU/RAM even if the HTTP layer forgot its own body limit.
MAX_INPUT_CHARS = 1 << 20
# Nonces and timestamps end up inside the reply XML; restricting them to a
# harmless alphabet means no escaping is needed and no "]]>" can break CDATA.
_SAFE_TOKEN = re.compile(r"[A-Za-z0-9._-]{1,128}")


class WeComCryptoError(Exception):
    """Any refusal of a callback; ``reason`` is a stable machine-readable tag."""

    reason = "crypto"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class WeComSignatureError(WeComCryptoError):
    """msg_signature missing or not matching sha1(sorted(token, ts, nonce, encrypt))."""

    reason = "signature"


class WeComBadKeyError(WeComCryptoError):
    """EncodingAESKey is not 43 base64 characters decoding to 32 bytes."""

    reason = "bad_key"


class WeComDecryptError(WeComCryptoError):
    """Base64, block length, padding, length prefix or UTF-8 is wrong."""

    reason = "decrypt"


class WeComReceiveIdError(WeComCryptoError):
    """The decrypted receive id (corp id) is not ours."""

    reason = "receive_id"


class WeComMalformedXmlError(WeComCryptoError):
    """The XML is not well formed, has a DOCTYPE/entity, or lacks a field."""

    reason = "xml"


# --------------------------------------------------------------------------- XML


def _refuse_dtd(*_args: Any) -> None:
    # Raised from inside expat's callback; pyexpat propagates it out of Parse().
    raise WeComMalformedXmlError("DOCTYPE/entity declarations are refused")


def _safe_parse(xml_text: str | bytes) -> ET.Element:
    """Parse ``xml_text`` into an Element, refusing DTDs and entities.

    expat is driven directly (rather than through ET.fromstring) because the
    C-accelerated ElementTree parser gives no hook to refuse a DOCTYPE; here
    the DOCTYPE handler fires before any entity could be declared or expanded.
    """
    if isinstance(xml_text, str):
        data = xml_text.encode("utf-8", "surrogatepass")
    elif isinstance(xml_text, (bytes, bytearray, memoryview)):
        data = bytes(xml_text)
    else:
        raise WeComMalformedXmlError(f"XML must be str or bytes, not {type(xml_text).__name__}")
    if len(data) > MAX_INPUT_CHARS:
        raise WeComMalformedXmlError("XML body too large")
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()
    # Coalesce adjacent text/CDATA runs so a split CDATA section reads as one value.
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    parser.UnparsedEntityDeclHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = lambda tag, attrs: builder.start(tag, attrs)
    parser.EndElementHandler = lambda tag: builder.end(tag)
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
        root = builder.close()
    except WeComCryptoError:
        raise
    except (expat.ExpatError, ValueError, TypeError, AssertionError, IndexError) as exc:
        # TreeBuilder asserts on mismatched ends; expat reports syntax errors.
        raise WeComMalformedXmlError(f"malformed XML: {exc}") from None
    if root is None:  # pragma: no cover - expat raises first on an empty document
        raise WeComMalformedXmlError("empty XML document")
    return root


def _single_child_text(root: ET.Element, tag: str) -> str:
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
    root = _safe_parse(xml)
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


# ------------------------------------------------------------------------ crypto


class WeComCrypto:
    """WXBizMsgCrypt for one (Token, EncodingAESKey, receive id) triple."""

    def __init__(self, token: str, encoding_aes_key: str, receive_id: str) -> None:
        if not isinstance(token, str) or not token:
            raise WeComBadKeyError("token must be a non-empty string")
        if not isinstance(receive_id, str):
            raise WeComBadKeyError("receive_id must be a string")
        if not isinstance(encoding_aes_key, str) or len(encoding_aes_key) != 43:
            raise WeComBadKeyError("EncodingAESKey must be 43 characters")
        try:
            key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except (binascii.Error, ValueError):
            raise WeComBadKeyError("EncodingAESKey is not valid base64") from None
        if len(key) != 32:  # pragma: no cover - 43 valid chars always give 32 bytes
            raise WeComBadKeyError("EncodingAESKey must decode to 32 bytes")
        self._token = token
        self._key = key
        self._iv = key[:_AES_BLOCK]
        self._receive_id = receive_id

    def __repr__(self) -> str:
        # Never show the token or key: a repr ends up in logs and tracebacks.
        return f"WeComCrypto(receive_id={self._receive_id!r})"

    @property
    def receive_id(self) -> str:
        """The corp id (or suite id) decrypted payloads must carry."""
        return self._receive_id

    # -- signature ---------------------------------------------------------

    def signature(self, timestamp: str, nonce: str, encrypted: str) -> str:
        """sha1 hex of the sorted concatenation of token, timestamp, nonce, encrypted."""
        parts = sorted([self._token, str(timestamp), str(nonce), str(encrypted)])
        return hashlib.sha1("".join(parts).encode("utf-8", "surrogatepass")).hexdigest()

    def _verify(self, msg_signature: object, timestamp: object, nonce: object, encrypted: str) -> None:
        for name, value in (("msg_signature", msg_signature), ("timestamp", timestamp), ("nonce", nonce)):
            if not isinstance(value, str) or not value:
                raise WeComSignatureError(f"missing {name}")
        assert isinstance(msg_signature, str) and isinstance(timestamp, str) and isinstance(nonce, str)
        expected = self.signature(timestamp, nonce, encrypted)
        # Compare bytes: compare_digest rejects non-ASCII str with TypeError.
        if not hmac.compare_digest(
            expected.encode("ascii"), msg_signature.encode("utf-8", "surrogatepass")
        ):
            raise WeComSignatureError("msg_signature mismatch")

    # -- decrypt -----------------------------------------------------------

    def decrypt(self, encrypted: str) -> str:
        """Decrypt an Encrypt/echostr value WITHOUT checking its signature.

        Prefer :meth:`verify_url` / :meth:`decrypt_message`; this exists for
        callers that verified the signature themselves (and for tests).
        """
        if not isinstance(encrypted, str) or not encrypted:
            raise WeComDecryptError("empty ciphertext")
        if len(encrypted) > MAX_INPUT_CHARS:
            raise WeComDecryptError("ciphertext too large")
        try:
            raw = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise WeComDecryptError("ciphertext is not valid base64") from None
        if not raw or len(raw) % _AES_BLOCK:
            raise WeComDecryptError("ciphertext is not a whole number of AES blocks")
        decryptor = Cipher(algorithms.AES(self._key), modes.CBC(self._iv)).decryptor()
        plain = decryptor.update(raw) + decryptor.finalize()
        pad = plain[-1]
        # Tencent pads to 32 bytes, so a valid pad is 1..32 and all pad bytes equal.
        if not 1 <= pad <= BLOCK_SIZE or pad > len(plain) or plain[-pad:] != bytes([pad]) * pad:
            raise WeComDecryptError("bad padding")
        content = plain[:-pad]
        if len(content) < 20:
            raise WeComDecryptError("plaintext too short")
        (msg_len,) = struct.unpack(">I", content[16:20])
        if 20 + msg_len > len(content):
            raise WeComDecryptError("message length prefix out of range")
        msg = content[20 : 20 + msg_len]
        receive_id = content[20 + msg_len :]
        if not hmac.compare_digest(receive_id, self._receive_id.encode("utf-8")):
            raise WeComReceiveIdError("receive id (corp id) mismatch")
        try:
            return msg.decode("utf-8")
        except UnicodeDecodeError:
            raise WeComDecryptError("message is not valid UTF-8") from None

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """Check the GET handshake and return the plain echostr to echo back."""
        if not isinstance(echostr, str) or not echostr:
            raise WeComDecryptError("missing echostr")
        self._verify(msg_signature, timestamp, nonce, echostr)
        return self.decrypt(echostr)

    def decrypt_message(
        self, msg_signature: str, timestamp: str, nonce: str, post_body: bytes | str
    ) -> str:
        """Verify and decrypt a callback POST body; return the inner XML string."""
        root = _safe_parse(post_body)
        encrypted = _single_child_text(root, "Encrypt")
        if not encrypted:
            raise WeComMalformedXmlError("empty <Encrypt>")
        self._verify(msg_signature, timestamp, nonce, encrypted)
        return self.decrypt(encrypted)

    def decrypt_reply_xml(self, reply_xml: bytes | str) -> str:
        """Verify and decrypt a passive-reply envelope (the inverse of :meth:`encrypt_reply_xml`).

        The envelope carries its own MsgSignature/TimeStamp/Nonce; used by the
        fake WeCom to read what a bot answered.
        """
        root = _safe_parse(reply_xml)
        encrypted = _single_child_text(root, "Encrypt")
        self._verify(
            _single_child_text(root, "MsgSignature"),
            _single_child_text(root, "TimeStamp"),
            _single_child_text(root, "Nonce"),
            encrypted,
        )
        return self.decrypt(encrypted)

    # -- encrypt -----------------------------------------------------------

    def encrypt(
        self,
        plaintext: str,
        *,
        nonce: str,
        timestamp: str,
        random16: bytes | None = None,
        receive_id: str | None = None,
    ) -> tuple[str, str]:
        """Encrypt ``plaintext``; return ``(encrypt_b64, msg_signature)``.

        ``random16`` fixes the 16 random prefix bytes (for known-answer tests);
        ``receive_id`` overrides the embedded corp id (only for tests that
        must produce a payload addressed to someone else).
        """
        if random16 is None:
            random16 = os.urandom(16)
        if not isinstance(random16, bytes) or len(random16) != 16:
            raise ValueError("random16 must be exactly 16 bytes")
        rid = self._receive_id if receive_id is None else receive_id
        msg = plaintext.encode("utf-8")
        body = random16 + struct.pack(">I", len(msg)) + msg + rid.encode("utf-8")
        pad = BLOCK_SIZE - len(body) % BLOCK_SIZE  # 1..32, never 0
        body += bytes([pad]) * pad
        encryptor = Cipher(algorithms.AES(self._key), modes.CBC(self._iv)).encryptor()
        encrypted = base64.b64encode(encryptor.update(body) + encryptor.finalize()).decode("ascii")
        return encrypted, self.signature(str(timestamp), str(nonce), encrypted)

    def encrypt_reply_xml(self, plaintext_xml: str, nonce: str, timestamp: str) -> str:
        """Build the encrypted passive-reply envelope for ``plaintext_xml``."""
        nonce, timestamp = str(nonce), str(timestamp)
        # Values go into the envelope verbatim; a restricted alphabet makes
        # escaping unnecessary (WeCom's own nonces/timestamps are digits).
        if not _SAFE_TOKEN.fullmatch(nonce) or not _SAFE_TOKEN.fullmatch(timestamp):
            raise ValueError("nonce and timestamp must match [A-Za-z0-9._-]{1,128}")
        encrypted, sig = self.encrypt(plaintext_xml, nonce=nonce, timestamp=timestamp)
        return (
            f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt>"
            f"<MsgSignature><![CDATA[{sig}]]></MsgSignature>"
            f"<TimeStamp>{timestamp}</TimeStamp>"
            f"<Nonce><![CDATA[{nonce}]]></Nonce></xml>"
        )
