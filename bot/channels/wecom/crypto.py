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
subclass per reason, all with a ``.reason`` string, in contract.py) and never
another exception type, so the HTTP layer can map one exception to a 4xx answer.
The XML around the ciphertext is read by message_xml.py.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.channels.wecom.contract import (
    WeComBadKeyError,
    WeComDecryptError,
    WeComMalformedXmlError,
    WeComReceiveIdError,
    WeComSignatureError,
)
from bot.channels.wecom.message_xml import MAX_INPUT_CHARS, safe_parse, single_child_text

__all__ = ["BLOCK_SIZE", "WeComCrypto"]

#: Tencent pads to 32 bytes (their sample's PKCS7Encoder.block_size = 32).
BLOCK_SIZE = 32
_AES_BLOCK = 16
# Nonces and timestamps end up inside the reply XML; restricting them to a
# harmless alphabet means no escaping is needed and no "]]>" can break CDATA.
_SAFE_TOKEN = re.compile(r"[A-Za-z0-9._-]{1,128}")


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
        root = safe_parse(post_body)
        encrypted = single_child_text(root, "Encrypt")
        if not encrypted:
            raise WeComMalformedXmlError("empty <Encrypt>")
        self._verify(msg_signature, timestamp, nonce, encrypted)
        return self.decrypt(encrypted)

    def decrypt_reply_xml(self, reply_xml: bytes | str) -> str:
        """Verify and decrypt a passive-reply envelope (the inverse of :meth:`encrypt_reply_xml`).

        The envelope carries its own MsgSignature/TimeStamp/Nonce; used by the
        fake WeCom to read what a bot answered.
        """
        root = safe_parse(reply_xml)
        encrypted = single_child_text(root, "Encrypt")
        self._verify(
            single_child_text(root, "MsgSignature"),
            single_child_text(root, "TimeStamp"),
            single_child_text(root, "Nonce"),
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
