"""WXBizMsgCrypt: Tencent's published known-answer vectors, round trips, and every refusal."""

from __future__ import annotations

import base64
import os
import random
import string
import struct

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from bot.channels.wecom.contract import (
    WeComBadKeyError,
    WeComCryptoError,
    WeComDecryptError,
    WeComMalformedXmlError,
    WeComReceiveIdError,
    WeComSignatureError,
)
from bot.channels.wecom.crypto import BLOCK_SIZE, WeComCrypto
from bot.channels.wecom.message_xml import parse_message_xml

# Tencent's official WXBizMsgCrypt sample for 企业微信 (Sample.cs / sample.py,
# also https://developer.work.weixin.qq.com/document/path/90968).
TOKEN = "QDG6eK"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
CORP_ID = "wx5823bf96d3bd56c7"

VERIFY_SIG = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
VERIFY_TS = "1409659589"
VERIFY_NONCE = "263014780"
VERIFY_ECHOSTR = "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
VERIFY_PLAIN = "1616140317555161061"

POST_SIG = "477715d11cdb4164915debcba66cb864d751f3e6"
POST_TS = "1409659813"
POST_NONCE = "1372623149"
POST_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/"
    "sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZ"
    "fJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3L"
    "AVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn2"
    "8H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)
POST_BODY = (
    f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
    f"<Encrypt><![CDATA[{POST_ENCRYPT}]]></Encrypt></xml>"
)


@pytest.fixture
def official() -> WeComCrypto:
    return WeComCrypto(TOKEN, AES_KEY, CORP_ID)


def _random_key() -> str:
    return base64.b64encode(os.urandom(32)).decode()[:43]


def _raw_aes(key43: str, data: bytes, *, decrypt: bool) -> bytes:
    """Independent AES-CBC (no padding) so tests can forge or inspect ciphertexts."""
    key = base64.b64decode(key43 + "=")
    cipher = Cipher(algorithms.AES(key), modes.CBC(key[:16]))
    ctx = cipher.decryptor() if decrypt else cipher.encryptor()
    return ctx.update(data) + ctx.finalize()


# ------------------------------------------------------------- known answers


def test_official_url_verification_vector(official: WeComCrypto) -> None:
    assert official.signature(VERIFY_TS, VERIFY_NONCE, VERIFY_ECHOSTR) == VERIFY_SIG
    assert official.verify_url(VERIFY_SIG, VERIFY_TS, VERIFY_NONCE, VERIFY_ECHOSTR) == VERIFY_PLAIN


def test_official_post_message_vector(official: WeComCrypto) -> None:
    assert official.signature(POST_TS, POST_NONCE, POST_ENCRYPT) == POST_SIG
    inner = official.decrypt_message(POST_SIG, POST_TS, POST_NONCE, POST_BODY)
    fields = parse_message_xml(inner)
    assert fields == {
        "ToUserName": CORP_ID,
        "FromUserName": "mycreate",
        "CreateTime": "1409659813",
        "MsgType": "text",
        "Content": "hello",
        "MsgId": "4561255354251345929",
        "AgentID": "218",
    }
    # Bytes bodies (as read from the HTTP request) work the same.
    assert official.decrypt_message(POST_SIG, POST_TS, POST_NONCE, POST_BODY.encode()) == inner


@pytest.mark.parametrize(
    ("encrypted", "timestamp", "nonce", "signature"),
    [
        (VERIFY_ECHOSTR, VERIFY_TS, VERIFY_NONCE, VERIFY_SIG),
        (POST_ENCRYPT, POST_TS, POST_NONCE, POST_SIG),
    ],
)
def test_encrypt_reproduces_official_ciphertext(
    official: WeComCrypto, encrypted: str, timestamp: str, nonce: str, signature: str
) -> None:
    # With Tencent's 16 random bytes fixed, our encryption (incl. 32-byte
    # padding) must be byte-identical to theirs.
    random16 = _raw_aes(AES_KEY, base64.b64decode(encrypted), decrypt=True)[:16]
    plain = official.decrypt(encrypted)
    assert official.encrypt(plain, nonce=nonce, timestamp=timestamp, random16=random16) == (
        encrypted,
        signature,
    )


# --------------------------------------------------------------- round trips


def test_round_trip_random_keys_and_messages() -> None:
    rng = random.Random(1234)
    alphabet = string.ascii_letters + string.digits + "<>&]]> 招商引资项目 😀\n"
    for length in list(range(0, 70)) + [1000, 4096]:
        key = _random_key()
        corp = "ww" + os.urandom(8).hex()
        crypto = WeComCrypto("tok" + os.urandom(4).hex(), key, corp)
        msg = "".join(rng.choice(alphabet) for _ in range(length))
        enc, sig = crypto.encrypt(msg, nonce="12345", timestamp="1700000000")
        raw = base64.b64decode(enc)
        assert len(raw) % BLOCK_SIZE == 0  # padded to 32, not 16
        assert crypto.verify_url(sig, "1700000000", "12345", enc) == msg


def test_padding_covers_full_32_byte_block() -> None:
    # 16 + 4 + 12 + 0 = 32 bytes -> a whole extra block of value 32.
    crypto = WeComCrypto("t", _random_key(), "")
    enc, _ = crypto.encrypt("x" * 12, nonce="1", timestamp="1")
    plain = _raw_aes_from(crypto, enc)
    assert len(plain) == 64 and plain[-32:] == bytes([32]) * 32
    assert crypto.decrypt(enc) == "x" * 12


def _raw_aes_from(crypto: WeComCrypto, enc: str) -> bytes:
    key = crypto._key  # test-only peek at the derived key
    d = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    return d.update(base64.b64decode(enc)) + d.finalize()


def test_reply_envelope_round_trip() -> None:
    crypto = WeComCrypto("tok", _random_key(), "wwcorp")
    inner = "<xml><Content><![CDATA[回复]]></Content></xml>"
    envelope = crypto.encrypt_reply_xml(inner, "987654", "1700000001")
    fields = parse_message_xml(envelope)
    assert set(fields) == {"Encrypt", "MsgSignature", "TimeStamp", "Nonce"}
    assert fields["TimeStamp"] == "1700000001" and fields["Nonce"] == "987654"
    assert crypto.decrypt_reply_xml(envelope) == inner
    # The envelope also passes decrypt_message with its own signature fields.
    assert crypto.decrypt_message(fields["MsgSignature"], "1700000001", "987654", envelope) == inner


def test_reply_envelope_rejects_unsafe_nonce() -> None:
    crypto = WeComCrypto("tok", _random_key(), "wwcorp")
    with pytest.raises(ValueError):
        crypto.encrypt_reply_xml("<xml/>", "1]]><x>", "1")


def test_parse_message_xml_cdata_nested_and_plain() -> None:
    xml = (
        "<xml><ToUserName><![CDATA[ww1]]></ToUserName><MsgType>event</MsgType>"
        "<Event><![CDATA[scancode_push]]></Event><EventKey><![CDATA[k&1]]></EventKey>"
        "<ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType><ScanResult>1</ScanResult></ScanCodeInfo>"
        "<Content><![CDATA[a]]]]><![CDATA[>b]]></Content></xml>"
    )
    assert parse_message_xml(xml) == {
        "ToUserName": "ww1",
        "MsgType": "event",
        "Event": "scancode_push",
        "EventKey": "k&1",
        "ScanCodeInfo.ScanType": "qrcode",
        "ScanCodeInfo.ScanResult": "1",
        "Content": "a]]>b",
    }


# ------------------------------------------------------------------ refusals


def test_bad_keys() -> None:
    for key in ["", "short", AES_KEY + "A", AES_KEY[:-1] + "!", "=" * 43]:
        with pytest.raises(WeComBadKeyError) as info:
            WeComCrypto(TOKEN, key, CORP_ID)
        assert info.value.reason == "bad_key"


def test_tampered_signature(official: WeComCrypto) -> None:
    bad = VERIFY_SIG[:-1] + "0"
    with pytest.raises(WeComSignatureError) as info:
        official.verify_url(bad, VERIFY_TS, VERIFY_NONCE, VERIFY_ECHOSTR)
    assert info.value.reason == "signature"
    with pytest.raises(WeComSignatureError):
        official.decrypt_message(POST_SIG, POST_TS, "1372623148", POST_BODY)  # nonce changed
    with pytest.raises(WeComSignatureError):
        official.verify_url("", VERIFY_TS, VERIFY_NONCE, VERIFY_ECHOSTR)
    with pytest.raises(WeComSignatureError):
        official.verify_url("签名" * 20, VERIFY_TS, VERIFY_NONCE, VERIFY_ECHOSTR)  # non-ASCII
    with pytest.raises(WeComSignatureError):
        official.verify_url(None, VERIFY_TS, VERIFY_NONCE, VERIFY_ECHOSTR)  # type: ignore[arg-type]
    # A different token cannot produce a passing signature.
    other = WeComCrypto("other", AES_KEY, CORP_ID)
    with pytest.raises(WeComSignatureError):
        other.verify_url(VERIFY_SIG, VERIFY_TS, VERIFY_NONCE, VERIFY_ECHOSTR)


def _forge(key43: str, body: bytes) -> str:
    return base64.b64encode(_raw_aes(key43, body, decrypt=False)).decode()


@pytest.mark.parametrize("pad", [0, 33, 200])
def test_bad_padding_value_with_valid_signature(pad: int) -> None:
    key = _random_key()
    crypto = WeComCrypto("tok", key, "corp")
    msg = b"hello"
    body = os.urandom(16) + struct.pack(">I", len(msg)) + msg + b"corp"
    body += bytes([7]) * (64 - len(body) - 1) + bytes([pad])  # 64 bytes, last byte = pad
    enc = _forge(key, body)
    sig = crypto.signature("1", "2", enc)
    with pytest.raises(WeComDecryptError) as info:
        crypto.verify_url(sig, "1", "2", enc)
    assert info.value.reason == "decrypt"


def test_inconsistent_padding_bytes_rejected() -> None:
    key = _random_key()
    crypto = WeComCrypto("tok", key, "corp")
    msg = b"hello"
    body = os.urandom(16) + struct.pack(">I", len(msg)) + msg + b"corp"
    pad = 64 - len(body)
    body += bytes([pad - 1]) + bytes([pad]) * (pad - 1)
    with pytest.raises(WeComDecryptError):
        crypto.decrypt(_forge(key, body))


def test_length_prefix_out_of_range() -> None:
    key = _random_key()
    crypto = WeComCrypto("tok", key, "corp")
    body = os.urandom(16) + struct.pack(">I", 10_000) + b"hi" + b"corp"
    pad = 32 - len(body) % 32
    body += bytes([pad]) * pad
    with pytest.raises(WeComDecryptError):
        crypto.decrypt(_forge(key, body))


def test_invalid_utf8_message() -> None:
    key = _random_key()
    crypto = WeComCrypto("tok", key, "corp")
    msg = b"\xff\xfe"
    body = os.urandom(16) + struct.pack(">I", len(msg)) + msg + b"corp"
    pad = 32 - len(body) % 32
    body += bytes([pad]) * pad
    with pytest.raises(WeComDecryptError):
        crypto.decrypt(_forge(key, body))


def test_tampered_ciphertext_never_leaks_another_exception() -> None:
    key = _random_key()
    crypto = WeComCrypto("tok", key, "corp")
    enc, _ = crypto.encrypt("<xml><Content>hi</Content></xml>", nonce="1", timestamp="1")
    raw = bytearray(base64.b64decode(enc))
    rng = random.Random(7)
    for _ in range(300):
        mutated = bytearray(raw)
        mutated[rng.randrange(len(mutated))] ^= 1 << rng.randrange(8)
        forged = base64.b64encode(bytes(mutated)).decode()
        try:
            crypto.verify_url(crypto.signature("1", "1", forged), "1", "1", forged)
        except WeComCryptoError:
            pass  # the only acceptable failure type; a rare benign flip may even decrypt


def test_wrong_corp_id(official: WeComCrypto) -> None:
    wrong = WeComCrypto(TOKEN, AES_KEY, "wx0000000000000000")
    with pytest.raises(WeComReceiveIdError) as info:
        wrong.verify_url(VERIFY_SIG, VERIFY_TS, VERIFY_NONCE, VERIFY_ECHOSTR)
    assert info.value.reason == "receive_id"
    with pytest.raises(WeComReceiveIdError):
        wrong.decrypt_message(POST_SIG, POST_TS, POST_NONCE, POST_BODY)
    # Our own encrypt with an overridden receive id is refused too.
    enc, sig = official.encrypt("x", nonce="1", timestamp="1", receive_id="attacker")
    with pytest.raises(WeComReceiveIdError):
        official.verify_url(sig, "1", "1", enc)


@pytest.mark.parametrize(
    "echostr",
    [
        VERIFY_ECHOSTR[:-4],  # truncated base64 (still valid base64, 1 byte short of a block)
        VERIFY_ECHOSTR[:-1],  # truncated mid-quantum: invalid base64
        VERIFY_ECHOSTR[:24],  # one AES block only: too short to hold the header
        "not base64 at all!",
        "",
        "AAAA" * 300_000,  # oversized
    ],
)
def test_truncated_or_garbage_base64(official: WeComCrypto, echostr: str) -> None:
    sig = official.signature(VERIFY_TS, VERIFY_NONCE, echostr)
    with pytest.raises(WeComCryptoError):
        official.verify_url(sig, VERIFY_TS, VERIFY_NONCE, echostr)


@pytest.mark.parametrize(
    "body",
    [
        '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f"<xml><ToUserName>&xxe;</ToUserName><Encrypt>{POST_ENCRYPT}</Encrypt></xml>",
        '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f"<xml><Encrypt>{POST_ENCRYPT}</Encrypt><X>&b;</X></xml>",
        f'<!DOCTYPE xml SYSTEM "http://evil.example/x.dtd"><xml><Encrypt>{POST_ENCRYPT}</Encrypt></xml>',
        f"<xml><Encrypt>{POST_ENCRYPT}</Encrypt><X>&undefined;</X></xml>",
        f"<xml><Encrypt>{POST_ENCRYPT}</Encrypt>",  # unclosed
        f"<xml><Encrypt>{POST_ENCRYPT}</Encrypt><Encrypt>AAAA</Encrypt></xml>",  # duplicate field
        "<xml><ToUserName>x</ToUserName></xml>",  # no Encrypt
        "<xml><Encrypt></Encrypt></xml>",  # empty Encrypt
        "",
        b"\xff\xfe\x00garbage",
    ],
)
def test_malformed_or_hostile_xml(official: WeComCrypto, body: str | bytes) -> None:
    with pytest.raises(WeComMalformedXmlError) as info:
        official.decrypt_message(POST_SIG, POST_TS, POST_NONCE, body)
    assert info.value.reason == "xml"


def test_parse_message_xml_refuses_doctype_and_garbage() -> None:
    for xml in ['<!DOCTYPE x [<!ENTITY e "v">]><xml><A>&e;</A></xml>', "<xml><A></xml>", 42]:
        with pytest.raises(WeComMalformedXmlError):
            parse_message_xml(xml)  # type: ignore[arg-type]


def test_absurd_nesting_is_refused_not_crashed() -> None:
    depth = 20_000
    with pytest.raises(WeComMalformedXmlError):
        parse_message_xml("<xml>" + "<a>" * depth + "x" + "</a>" * depth + "</xml>")


def test_doctype_text_inside_cdata_is_just_text() -> None:
    # A user may literally type "<!DOCTYPE" in a chat message: it is data, not markup.
    xml = "<xml><Content><![CDATA[<!DOCTYPE x [<!ENTITY e 'v'>]>]]></Content></xml>"
    assert parse_message_xml(xml) == {"Content": "<!DOCTYPE x [<!ENTITY e 'v'>]>"}


def test_repr_hides_secrets(official: WeComCrypto) -> None:
    assert TOKEN not in repr(official) and AES_KEY not in repr(official)
