"""A fake Telegram Bot API server for end-to-end tests, cut to what zsbot and its two frameworks call.

:class:`FakeTelegram` is an aiohttp web application bound to ``127.0.0.1`` on a random free
port. It speaks the real Bot API protocol (``{base}/bot{token}/{method}``, GET or POST,
query string / JSON / form-urlencoded / multipart bodies, ``{"ok": ..., "result": ...}``
answers with Telegram's status codes and error descriptions), so the *real*
python-telegram-bot and aiogram clients can be pointed at it over real HTTP::

    async with FakeTelegram() as fake:
        bot = telegram.Bot(fake.token, base_url=fake.ptb_base_url)          # python-telegram-bot
        session = AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))
        abot = aiogram.Bot(fake.token, session=session)                      # aiogram

Methods: getMe, getUpdates, setWebhook, deleteWebhook, setMyCommands, sendMessage,
editMessageText, answerCallbackQuery, sendPhoto, sendDocument — what the bot calls (both
frameworks, start-up included); anything else is 404. No parse_mode is rendered (refused).

The test side is plain Python: ``inject_message`` / ``inject_callback`` / ``redeliver`` queue
updates (served by ``getUpdates`` or POSTed to the webhook), ``sent()`` / ``edits`` /
``callback_answers`` / ``commands`` / ``requests`` show what the bot did, ``wait_for`` /
``wait_sent`` wait for it without polling, and ``fail_next`` / ``delay_next`` / ``delay_chat`` /
``reject_token`` / ``block`` / ``migrate_chat`` / ``enforce_limits`` inject faults.

Modules: server (HTTP, routing), protocol (parameters, error shape), state (data, waiting),
records, faults, messages, files, updates (getUpdates), webhook. Everything runs on the test's
event loop; no threads.
"""

from tests.fakes.telegram.records import CallbackAnswer, EditRecord, RequestRecord, SentMessage, UploadedFile
from tests.fakes.telegram.server import DEFAULT_TOKEN, FakeTelegram
from tests.fakes.telegram.webhook import SECRET_HEADER

__all__ = [
    "DEFAULT_TOKEN",
    "SECRET_HEADER",
    "CallbackAnswer",
    "EditRecord",
    "FakeTelegram",
    "RequestRecord",
    "SentMessage",
    "UploadedFile",
]
