"""The command line in Chinese: click's own messages through the text catalog, Chinese metavars,
section headings and usage lines, and wrong usage shown as one line plus the usage and a hint.

Why this mechanism. click marks every sentence it prints with gettext (`from gettext import
gettext as _` in each module), so a translation is the one place that reaches all of them —
help option, `--version`, `[default: …]`, choice, range and missing-option errors — including those
built deep in parsing where no subclass hook exists. The standard route (a compiled `.mo` file found
through LANGUAGE/LANG) would make the CLI's language depend on the operator's locale variables and
change every library that uses the default gettext domain, so instead `install()` rebinds the `_`
and `ngettext` names click imported to a translation object backed by the catalog. The message ids
are click's English sentences, which is why pyproject pins click's minor version and a test checks
every id against the installed click. What gettext cannot reach (the `[OPTIONS]` metavar, `:` after
headings, the layout of a usage error) is done by a Context/HelpFormatter pair (`bot/click_zh_help.py`)
set on every command by `localise()` — also on commands other modules build with plain `click.command`.
"""
from __future__ import annotations

import gettext
import inspect
import re
import sys
from typing import Any

import click

from bot.click_zh_help import ZhContext
from handlers.catalog import t

# click's message id → catalog key (handlers/catalog/zh_CN/cli.py). ngettext ids are keyed by the
# singular; Chinese has one form, except where click's two forms carry different placeholders.
MESSAGES: dict[str, str] = {
    "Usage:": "cli.usage",
    "Options": "cli.options",
    "Commands": "cli.commands",
    "Positional arguments": "cli.arguments",
    "Show this message and exit.": "cli.help_option",
    "Show the version and exit.": "cli.version_option",
    "%(prog)s, version %(version)s": "cli.version",
    "default: {default}": "cli.default",
    "required": "cli.required",
    "env var: {var}": "cli.env_var",
    "(dynamic)": "cli.dynamic",
    "deprecated": "cli.deprecated",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": "cli.deprecated_command",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}": "cli.deprecated_param",
    "Do you want to continue?": "cli.confirm_prompt",
    "Confirm the action without prompting.": "cli.confirm_option",
    "file": "cli.type.file",
    "directory": "cli.type.directory",
    "path": "cli.type.path",
    "Error: {message}": "cli.error",
    "Try '{command} {option}' for help.": "cli.try_help_option",
    "No such command {name!r}.": "cli.no_such_command",
    "No such option {name!r}.": "cli.no_such_option",
    "Did you mean {possibility}?": "cli.did_you_mean",
    "Missing command.": "cli.missing_command",
    "Missing option": "cli.missing_option",
    "Missing argument": "cli.missing_argument",
    "Missing parameter": "cli.missing_parameter",
    "Missing {param_type}": "cli.missing_param_type",
    "Missing parameter: {param_name}": "cli.missing_parameter_named",
    "Invalid value: {message}": "cli.invalid_value",
    "Invalid value for {param_hint}: {message}": "cli.invalid_value_for",
    "Got unexpected extra argument ({args})": "cli.extra_arguments",
    "Option {name!r} requires an argument.": "cli.requires_argument",
    "Option {name!r} does not take a value.": "cli.takes_no_value",
    "Argument {name!r} takes {nargs} values.": "cli.argument_takes_values",
    "Takes {nargs} values but 1 was given.": "cli.takes_values",
    "{len_type} values are required, but {len_value} was given.": "cli.values_required",
    "Value must be an iterable.": "cli.not_iterable",
    "Invalid start character for option ({option})": "cli.bad_option_start",
    "{value!r} is not {choice}.": "cli.not_a_choice",
    "Choose from:\n\t{choices}": "cli.choose_from",
    "{value} is not in the range {range}.": "cli.not_in_range",
    "{value!r} is not a valid {number_type}.": "cli.not_a_number",
    "{value!r} is not a valid boolean. Recognized values: {states}": "cli.not_a_boolean",
    "{value!r} is not a valid UUID.": "cli.not_a_uuid",
    "{value!r} does not match the format {format}.": "cli.no_format_match",
    "{name} {filename!r} does not exist.": "cli.path_missing",
    "{name} {filename!r} is a file.": "cli.path_is_file",
    "{name} {filename!r} is a directory.": "cli.path_is_directory",
    "{name} {filename!r} is not readable.": "cli.path_not_readable",
    "{name} {filename!r} is not writable.": "cli.path_not_writable",
    "{name} {filename!r} is not executable.": "cli.path_not_executable",
    "Could not open file {filename!r}: {message}": "cli.cannot_open",
    "unknown error": "cli.unknown_error",
    "Aborted!": "cli.aborted",
    "Repeat for confirmation": "cli.repeat",
    "Error: The two entered values do not match.": "cli.mismatch",
    "Error: invalid input": "cli.invalid_input",
    "Press any key to continue...": "cli.press_any_key",
}
# Where click's plural form has placeholders of its own, it has a key of its own.
PLURALS: dict[str, str] = {
    "(Did you mean one of: {possibilities}?)": "cli.did_you_mean_many",
    "Option {name!r} requires {nargs} arguments.": "cli.requires_arguments",
    "{value!r} is not one of {choices}.": "cli.not_one_of",
    "{value!r} does not match the formats {formats}.": "cli.no_formats_match",
}


class CatalogTranslation(gettext.NullTranslations):
    """click's English message ids answered from the text catalog; an unknown id stays as it is."""

    def gettext(self, message: str) -> str:
        key = MESSAGES.get(message)
        return t(key) if key else message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        if n != 1 and msgid2 in PLURALS:
            return t(PLURALS[msgid2])
        if msgid1 in MESSAGES:
            return t(MESSAGES[msgid1])
        return msgid1 if n == 1 else msgid2


_installed = False


def install() -> None:
    """Point click's `_` / `ngettext` at the catalog. Before any click decorator runs: `version_option`
    and `click.Path` translate their texts when they are declared."""
    global _installed
    if _installed:
        return
    # `import click` has loaded every module that speaks to an operator; those loaded later (shell
    # completion, the editor, Windows consoles) are not used by zsbot.

    translation = CatalogTranslation()
    for name, module in list(sys.modules.items()):
        if name != "click" and not name.startswith("click."):
            continue
        if getattr(module, "_", None) is gettext.gettext:
            module._ = translation.gettext
        if getattr(module, "ngettext", None) is gettext.ngettext:
            module.ngettext = translation.ngettext
    _installed = True


def show_usage_error(error: click.UsageError, file: Any = None) -> None:
    """Wrong usage, laid out as click does: the usage line, how to get help, then `错误：…` on one line
    (the last line, where the eye lands); exit 2."""
    where: dict[str, Any] = {"file": file} if file is not None else {"err": True}
    ctx = error.ctx
    if ctx is not None:
        click.echo(ctx.get_usage(), **where)
        if ctx.command.get_help_option(ctx) is not None:
            click.echo(t("cli.try_help", command=ctx.command_path), **where)
        click.echo(**where)
    # One line: click's multi-line notes folded, and no space after a Chinese full stop.
    message = re.sub(r"(?<=[。？！）]) ", "", " ".join(describe_usage_error(error).split()))
    click.echo(t("cli.error", message=message), **where)


def describe_usage_error(error: click.UsageError) -> str:
    """click's message, except a missing parameter: click glues English full stops around it."""
    if not isinstance(error, click.MissingParameter) or error.param is None:
        return error.format_message()
    param = error.param
    hint = error.param_hint or param.get_error_hint(error.ctx)  # type: ignore[arg-type]
    hint = hint if isinstance(hint, str) else " / ".join(repr(h) for h in hint)
    key = "cli.missing_argument_named" if isinstance(param, click.Argument) else "cli.missing_option_named"
    text = t(key, name=hint)
    if isinstance(param.type, click.Choice):
        text += t("cli.missing_choose_from", choices="、".join(map(str, param.type.choices)))
    return text


class ZhGroup(click.Group):
    """The root group: any usage error raised while parsing or dispatching is shown in Chinese."""

    context_class = ZhContext

    def make_context(self, info_name: str | None, args: list[str], parent: click.Context | None = None,
                     **extra: Any) -> click.Context:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            raise _chinese(error)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise _chinese(error)


def _chinese(error: click.UsageError) -> click.UsageError:
    # The same exception (its type and exit code 2 are kept); only how click shows it changes. A group
    # called without a command shows its help page, as click does.
    if isinstance(error, click.exceptions.NoArgsIsHelpError):
        return error
    error.show = lambda file=None: show_usage_error(error, file)  # type: ignore[method-assign]
    return error


def localise(command: click.Command) -> None:
    """Chinese usage lines and metavars on a command and everything under it (run once by `build`)."""
    command.context_class = ZhContext
    if command.short_help is None and command.help:
        # click cuts a command's line in a list at an English full stop or at 45 characters with "...";
        # the first Chinese sentence, wrapped by the formatter, reads better.
        first = inspect.cleandoc(command.help).partition("\n\n")[0]
        command.short_help = first.partition("。")[0] + "。" if "。" in first else first
    if command.options_metavar == "[OPTIONS]":
        command.options_metavar = t("cli.options_metavar")
    if isinstance(command, click.Group):
        if command.subcommand_metavar == "COMMAND [ARGS]...":
            command.subcommand_metavar = t("cli.subcommand_metavar")
        elif command.subcommand_metavar == "[COMMAND] [ARGS]...":
            command.subcommand_metavar = t("cli.subcommand_metavar_optional")
        for sub in command.commands.values():
            localise(sub)
    for param in command.params:
        if param.metavar is None:
            param.metavar = _metavar(param.type)


def _metavar(kind: click.ParamType) -> str | None:
    # Types with a metavar of their own (Choice's [a|b], DateTime's formats) keep it.
    if isinstance(kind, click.Path):
        return kind.name.upper()
    if isinstance(kind, (click.types.IntParamType, click.types.IntRange)):
        return t("cli.metavar.integer")
    if isinstance(kind, (click.types.FloatParamType, click.types.FloatRange)):
        return t("cli.metavar.number")
    if isinstance(kind, click.types.BoolParamType):
        return t("cli.metavar.boolean")
    if isinstance(kind, click.types.StringParamType):
        return t("cli.metavar.text")
    return None
