"""What the WeCom modules share: the channel name, WeCom's size limits, and every error they raise.

Each of bot/channels/wecom/*.py imports this module and it imports none of them, so the endpoint,
the client and the crypto never need each other for a type.
"""

from __future__ import annotations

CHANNEL = "wecom"
DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com"
#: Application text/markdown bodies: WeCom truncates text and rejects markdown
#: beyond 2048 UTF-8 bytes, so we refuse early and let the caller split.
APP_TEXT_MAX_BYTES = 2048
APP_MARKDOWN_MAX_BYTES = 2048
#: Group-robot markdown limit (errcode 40058 beyond it).
ROBOT_MARKDOWN_MAX_BYTES = 4096
#: Group-robot images: JPG/PNG of at most 2 MB before base64.
ROBOT_IMAGE_MAX_BYTES = 2 * 1024 * 1024
#: Temporary media size limits documented for /cgi-bin/media/upload.
MEDIA_MAX_BYTES = {"image": 10 * 1024 * 1024, "file": 20 * 1024 * 1024}
MEDIA_MIN_BYTES = 5

# -- template cards (模板卡片消息, msgtype template_card), as WeCom documents them ------------------
#: button_interaction: at most 6 buttons; a key is at most 1024 bytes and unique within the card.
CARD_MAX_BUTTONS = 6
CARD_KEY_MAX_BYTES = 1024
#: task_id: unique per application, at most 128 bytes of digits, letters and _-@.
CARD_TASK_ID_MAX_BYTES = 128
#: WeCom's advised lengths in characters (longer texts are cut by the client): the main title, the
#: sub-title text, a button's text, and a horizontal line's key and value (at most 6 such lines).
CARD_TITLE_MAX_CHARS = 36
CARD_TITLE_DESC_MAX_CHARS = 44
CARD_SUB_TITLE_MAX_CHARS = 160
CARD_BUTTON_TEXT_MAX_CHARS = 10
CARD_HORIZONTAL_MAX_ITEMS = 6
CARD_KEYNAME_MAX_CHARS = 5
CARD_VALUE_MAX_CHARS = 30
#: vote_interaction (one question, 投票选择): 1..20 options, an option id at most 128 bytes, its text
#: advised at most 17 characters; the submit button's text at most 10.
VOTE_MAX_OPTIONS = 20
VOTE_OPTION_ID_MAX_BYTES = 128
VOTE_OPTION_TEXT_MAX_CHARS = 17
#: errcode for a msgtype this deployment does not know (older 政务微信 / private deployments
#: answer it for template_card): the channel falls back to the numbered list.
ERRCODE_INVALID_MSGTYPE = 40008


class WeComApiError(Exception):
    """WeCom answered with a non-zero errcode."""

    def __init__(self, errcode: int, errmsg: str, *, path: str = "") -> None:
        self.errcode = errcode
        self.errmsg = errmsg
        self.path = path
        where = f" ({path})" if path else ""
        super().__init__(f"WeCom API error {errcode}{where}: {errmsg}")


class WeComRateLimited(WeComApiError):
    """errcode 45009 / 45033: too many calls; back off before retrying."""


class WeComNetworkError(Exception):
    """Transport failure: connection, timeout, non-2xx HTTP status or a non-JSON body."""


class WeComTooLarge(WeComNetworkError):
    """A download (media/get) larger than the caller accepts: refused as soon as it grows past the limit."""


class WeComMaybeSent(WeComNetworkError):
    """The request may have reached WeCom (a timeout, a dropped connection): a retry could duplicate it.

    The plain WeComNetworkError means it did not (the connection never opened, or an HTTP error status).
    """



# ------------------------------------------------- callback crypto (crypto.py, message_xml.py)


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
