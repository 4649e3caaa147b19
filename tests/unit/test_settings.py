"""Settings: defaults, environment, .env, and one-line errors naming the variable."""
from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("ZSBOT_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def test_defaults() -> None:
    s = load_settings()
    assert s.database_url == "sqlite:///zsbot.db"
    assert s.timezone == "Asia/Shanghai" and s.locale == "zh_CN"
    assert s.channel == "console" and s.telegram_framework == "ptb"
    assert s.conversation_timeout_minutes == 30


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZSBOT_DATABASE_URL", "postgresql://postgres@127.0.0.1/zsbot")
    monkeypatch.setenv("ZSBOT_TELEGRAM_TOKEN", "123:abc")
    s = load_settings()
    assert s.database_url.startswith("postgresql://")
    assert s.telegram_token is not None and s.telegram_token.get_secret_value() == "123:abc"
    assert "123:abc" not in repr(s)


def test_dotenv_file_is_honoured(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ZSBOT_TIMEZONE=Asia/Urumqi\nZSBOT_CHANNEL=telegram\n", encoding="utf-8")
    s = load_settings()
    assert s.timezone == "Asia/Urumqi" and s.channel == "telegram"


@pytest.mark.parametrize("var,value", [
    ("ZSBOT_TIMEZONE", "Mars/Olympus"),
    ("ZSBOT_LOCALE", "fr_FR"),
    ("ZSBOT_DATABASE_URL", "mysql://root@localhost/x"),
    ("ZSBOT_DATABASE_URL", "not a url"),
    ("ZSBOT_CHANNEL", "fax"),
    ("ZSBOT_CONVERSATION_TIMEOUT_MINUTES", "-5"),
    ("ZSBOT_WEBHOOK_LISTEN", "8080"),
])
def test_bad_value_is_one_line_naming_the_variable(monkeypatch: pytest.MonkeyPatch, var: str, value: str) -> None:
    monkeypatch.setenv(var, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith(var + ":") and "\n" not in message
