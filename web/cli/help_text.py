"""``--help`` and click's own usage errors in the invocation's language (``wastematch --lang``).

The commands' help is written in English (docstrings and ``help=``); its Chinese lives in
``web/translations/zh/cli/<module>.po`` (one file per module of this package), one entry per paragraph of a
command's help and per option's help, as the pages keep theirs. :class:`LocalisedCommand` and
:class:`LocalisedGroup` render the help in Chinese, English or both (Chinese first, the English after it), with
click's headings ("Usage:", "Options", "Commands") and option notes ("default: …", "required") in the same
language. Click's usage errors ("No such option '--x'.", "Missing argument 'FILE'.") are written in English by
click; :func:`usage_error_text` puts them in the invocation's language too.
A test walks every command: each text has its translation, and the catalogue holds no entry nobody uses.
"""
from __future__ import annotations

import functools
import inspect
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from .context import Cli, in_language
from .output import LANGUAGES, columns, locale_language

# Not among the pages' catalogues (``web/translations/zh/*.po``): the pages never show these texts.
CATALOG = Path(__file__).resolve().parent.parent / "translations" / "zh" / "cli"

# click's headings and notes: (中文, English).
USAGE = ("用法", "Usage")
OPTIONS = ("选项", "Options")
COMMANDS = ("命令", "Commands")
DEFAULT = ("默认", "default")
REQUIRED = ("必填", "required")
ENV_VAR = ("环境变量", "env var")
ERROR = ("错误", "Error")
# click's own texts shown in a help page: the help option's help.
CLICK_TEXTS = {"Show this message and exit.": "显示此帮助并退出。"}
TRY_HELP = ("运行 '{command} {option}' 查看帮助。", "Try '{command} {option}' for help.")


@functools.cache
def catalog() -> dict[str, str]:
    """English help text → its Chinese, from every ``.po`` of :data:`CATALOG` (read once per process, when help or a
    usage error is shown)."""
    from babel.messages.pofile import read_po

    out: dict[str, str] = {}
    for po in sorted(CATALOG.glob("*.po")):
        with po.open("rb") as f:
            out.update({m.id: m.string for m in read_po(f) if isinstance(m.id, str) and m.id and m.string})
    return out


def paragraphs(text: str | None) -> list[str]:
    """The translatable units of a help text: its paragraphs (up to click's ``\\f``), each on one line."""
    body = inspect.cleandoc(text or "").partition("\f")[0]
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", body) if p.strip()]


def chinese(unit: str) -> str:
    """The Chinese of one help unit (the English itself where the catalogue has none: a test forbids that)."""
    return catalog().get(unit) or CLICK_TEXTS.get(unit, unit)


def language(ctx: click.Context | None = None) -> str:
    """The invocation's language: its ``Cli`` once the root command ran, else ``--lang`` as parsed so far, else
    ``WASTEMATCH_LANG``, else the terminal's locale (``output.locale_language``)."""
    ctx = ctx or click.get_current_context(silent=True)
    if ctx is not None:
        cli = ctx.find_object(Cli)
        if cli is not None:
            return cli.lang
        lang = ctx.find_root().params.get("lang")
        if lang in LANGUAGES:
            return lang
    lang = os.environ.get("WASTEMATCH_LANG")
    return lang if lang in LANGUAGES else locale_language()


def pick(pair: tuple[str, str], lang: str) -> str:
    """One of click's headings or notes (:data:`OPTIONS` …) in ``lang`` (``both``: ``中文 / English``)."""
    return in_language(*pair, lang)


def label(pair: tuple[str, str], lang: str) -> str:
    """A label before a text (:data:`USAGE`, :data:`ERROR`) with its colon: ``用法：``, ``Usage: ``, ``用法 / Usage: ``."""
    return f"{pair[0]}：" if lang == "zh" else f"{pick(pair, lang)}: "


def one_line(unit: str, lang: str) -> str:
    """A help unit on one line in ``lang``: an option's help, a command's summary."""
    return pick((chinese(unit), unit), lang) if unit else ""


# A character a terminal shows two columns wide (CJK, full-width forms): a line may break before or after it.
_WIDE = "\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
_TOKENS = re.compile(f"\\s+|[{_WIDE}]|[^\\s{_WIDE}]+")
# Never at the start of a line (Chinese line-breaking rule): it stays on the line before, a column beyond.
_NO_LINE_START = set("，。、；：？！）》」』】〕”’…%")


def wrap_columns(text: str, width: int, initial: str = "", subsequent: str = "") -> list[str]:
    """``text`` wrapped to ``width`` terminal columns (a Chinese character counts two, as ``textwrap`` does not):
    English breaks between words, Chinese between characters."""
    lines, line, col, empty, space = [], initial, columns(initial), True, False
    for token in _TOKENS.findall(" ".join(text.split())):
        if token.isspace():
            space = not empty
            continue
        w, gap = columns(token), 1 if space else 0
        if not empty and col + gap + w > width and token not in _NO_LINE_START:
            lines.append(line.rstrip())
            line, col, gap = subsequent, columns(subsequent), 0
        line += " " * gap + token
        col += gap + w
        empty, space = False, False
    lines.append(line.rstrip())
    return lines


def _first_sentence(text: str, limit: int) -> str:
    """The first sentence of ``text`` within ``limit`` terminal columns (a Chinese character counts two), cut
    before a word or character that would not fit, never inside one ("ledger:ID" is not cut to "led…")."""
    m = re.match(r"(.+?(?:。|\.(?=\s|$)))", text)
    sentence = (m.group(1) if m else text).rstrip("。.")
    if columns(sentence) <= limit:
        return sentence
    out = ""
    for token in _TOKENS.findall(sentence):
        if columns(out + token) > limit - 1:
            break
        out += token
    return out.rstrip(" ，、,;；:：") + "…"


class ColumnsFormatter(click.HelpFormatter):
    """click's help formatter, wrapping by terminal columns (:func:`wrap_columns`) rather than characters."""

    def write_heading(self, heading: str) -> None:
        # A Chinese heading takes the full-width colon (选项：); one ending in English, click's (选项 / Options:).
        colon = "：" if heading and "\u4e00" <= heading[-1] <= "\u9fff" else ":"
        self.write(f"{'':>{self.current_indent}}{heading}{colon}\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        self.write("\n".join(wrap_columns(text, self.width, indent, indent)) + "\n")

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        first_col = min(max((columns(first) for first, _second in rows), default=0), col_max) + col_spacing
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if columns(first) <= first_col - col_spacing:
                self.write(" " * (first_col - columns(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap_columns(second, max(self.width - first_col - 2 - self.current_indent, 10))
            pad = " " * (first_col + self.current_indent)
            self.write("\n".join([lines[0], *(pad + line for line in lines[1:])]) + "\n")


class _Context(click.Context):
    formatter_class = ColumnsFormatter


class _Localised:
    """The help of a click command in the invocation's language (mixed into ``click.Command``/``click.Group``)."""

    context_class = _Context

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=label(USAGE, language(ctx)))

    def format_help_text(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang = language(ctx)
        units = paragraphs(self.help)
        if not units:
            return
        shown = [chinese(u) for u in units] if lang == "zh" else units if lang == "en" else \
            [chinese(u) for u in units] + units
        with formatter.indentation():
            for text in shown:
                formatter.write_paragraph()
                formatter.write_text(text)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang = language(ctx)
        rows = [row for param in self.get_params(ctx) if not isinstance(param, click.Argument)
                for row in [option_row(param, ctx, lang)] if row is not None]
        if rows:
            with formatter.section(pick(OPTIONS, lang)):
                formatter.write_dl(rows)
        if isinstance(self, click.Group):
            self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        lang = language(ctx)
        commands = [(name, cmd) for name in self.list_commands(ctx)
                    for cmd in [self.get_command(ctx, name)] if cmd is not None and not cmd.hidden]
        # As click does: what is left beside the longest name (a summary of both languages may wrap).
        limit = formatter.width - 6 - max((len(name) for name, _cmd in commands), default=0)
        rows = [(name, summary(cmd, lang, limit=limit)) for name, cmd in commands]
        if rows:
            with formatter.section(pick(COMMANDS, lang)):
                formatter.write_dl(rows)

    def get_short_help_str(self, limit: int = 45) -> str:
        return summary(self, language(), limit=limit)


def summary(cmd: click.Command, lang: str, *, limit: int = 45) -> str:
    """A command's line in its group's list: its ``short_help``, else the first sentence of its help."""
    units = paragraphs(cmd.short_help) or paragraphs(cmd.help)[:1]
    if not units:
        return ""
    return pick((_first_sentence(chinese(units[0]), limit), _first_sentence(units[0], limit)), lang)


def option_row(param: click.Parameter, ctx: click.Context, lang: str) -> tuple[str, str] | None:
    """(``--name VALUE``, its help and notes in ``lang``) as click's option list shows it."""
    record = param.get_help_record(ctx)
    if record is None:
        return None
    spec = record[0]
    text = one_line(" ".join((param.help or "").split()) if isinstance(param, click.Option) else "", lang)
    extra = param.get_help_extra(ctx) if isinstance(param, click.Option) else {}
    notes = []
    if "envvars" in extra:
        notes.append(label(ENV_VAR, lang) + ", ".join(extra["envvars"]))
    if "default" in extra:
        notes.append(label(DEFAULT, lang) + str(extra["default"]))
    if "range" in extra:
        notes.append(extra["range"])
    if "required" in extra:
        notes.append(pick(REQUIRED, lang))
    if notes:
        text = f"{text}  [{'; '.join(notes)}]" if text else f"[{'; '.join(notes)}]"
    return spec, text


class LocalisedCommand(_Localised, click.Command):
    """A command whose help speaks the invocation's language."""


class LocalisedGroup(_Localised, click.Group):
    """A group whose help (and whose commands' help) speaks the invocation's language."""

    command_class = LocalisedCommand
    group_class = type  # a group made with ``@group.group()`` is localised as this one


# ``@command(...)`` and ``@group(...)``: click's decorators making localised commands.
command = functools.partial(click.command, cls=LocalisedCommand)
group = functools.partial(click.group, cls=LocalisedGroup)


def walk(cmd: click.Command, path: str = "wastematch") -> Iterator[tuple[str, click.Command]]:
    """Every command under ``cmd`` (itself first), with its command path."""
    yield path, cmd
    if isinstance(cmd, click.Group):
        for name, sub in sorted(cmd.commands.items()):
            yield from walk(sub, f"{path} {name}")


def help_units(cmd: click.Command) -> list[str]:
    """The texts of ``cmd``'s help that need a translation: its help's paragraphs, its summary, its options' help."""
    units = paragraphs(cmd.help) + paragraphs(cmd.short_help)
    units += [" ".join(p.help.split()) for p in cmd.params if isinstance(p, click.Option) and p.help]
    return units


def units_by_module(root: click.Command) -> dict[str, list[str]]:
    """Every help unit under ``root`` (:func:`help_units`), by the module (``matching``) that defines its command:
    the ``.po`` file of :data:`CATALOG` that holds its translation. A unit is listed once, under its first module."""
    out: dict[str, list[str]] = {}
    seen: set[str] = set()
    for _path, cmd in walk(root):
        module = inspect.unwrap(cmd.callback).__module__.rpartition(".")[2] if cmd.callback else "__init__"
        for unit in help_units(cmd):
            if unit not in seen:
                seen.add(unit)
                out.setdefault(module, []).append(unit)
    return out


# --- click's usage errors -------------------------------------------------------------------------------------

# (click's English template, our Chinese): the messages click writes itself when a command line is wrong. A field in
# braces is a value (an option's name, what was typed) and is kept; ``{message}`` is itself translated. The first
# template that matches wins: a general one comes after the ones it would also match.
CLICK_MESSAGES: tuple[tuple[str, str], ...] = (
    ("No such option {name}. Did you mean {possibility}?", "没有选项 {name}。您是否要用 {possibility}？"),
    ("No such option {name}. (Did you mean one of: {possibilities}?)", "没有选项 {name}。您是否要用其中之一：{possibilities}？"),
    ("No such option {name}.", "没有选项 {name}。"),
    ("No such option: {name}", "没有选项：{name}"),
    ("No such command {name}. Did you mean {possibility}?", "没有命令 {name}。您是否要用 {possibility}？"),
    ("No such command {name}. (Did you mean one of: {possibilities}?)", "没有命令 {name}。您是否要用其中之一：{possibilities}？"),
    ("No such command {name}.", "没有命令 {name}。"),
    ("Missing command.", "缺少命令。"),
    ("Missing argument {name}.", "缺少参数 {name}。"),
    ("Missing option {name}.", "缺少选项 {name}。"),
    ("Missing parameter {name}.", "缺少参数 {name}。"),
    ("Option {name} requires an argument.", "选项 {name} 需要一个值。"),
    ("Option {name} requires {nargs} arguments.", "选项 {name} 需要 {nargs} 个值。"),
    ("Option {name} does not take a value.", "选项 {name} 不接受值。"),
    ("Argument {name} takes {nargs} values.", "参数 {name} 需要 {nargs} 个值。"),
    ("Got unexpected extra argument ({args})", "多余的参数（{args}）"),
    ("Got unexpected extra arguments ({args})", "多余的参数（{args}）"),
    ("Invalid value for {hint}: {message}", "{hint} 的值无效：{message}"),
    ("Invalid value: {message}", "值无效：{message}"),
    ("{value} is not one of {choices}.", "{value} 不在可选值 {choices} 之中。"),
    ("{value} is not a valid integer.", "{value} 不是有效的整数。"),
    ("{value} is not a valid float.", "{value} 不是有效的数字。"),
    ("{value} is not a valid integer range.", "{value} 不是有效的整数范围。"),
    ("{value} is not a valid float range.", "{value} 不是有效的数字范围。"),
    ("{value} is not in the range {range}.", "{value} 不在范围 {range} 内。"),
    ("{value} is not a valid boolean. Recognized values: {states}", "{value} 不是有效的布尔值。可用的值：{states}"),
    ("{value} does not match the format {format}.", "{value} 不符合格式 {format}。"),
    ("{value} does not match the formats {formats}.", "{value} 不符合格式 {formats} 中的任何一种。"),
    ("{value} is not a valid UUID.", "{value} 不是有效的 UUID。"),
    ("File {name} does not exist.", "文件 {name} 不存在。"),
    ("Path {name} does not exist.", "路径 {name} 不存在。"),
    ("Directory {name} does not exist.", "文件夹 {name} 不存在。"),
    ("File {name} is a directory.", "{name} 是文件夹，不是文件。"),
    ("Path {name} is a directory.", "{name} 是文件夹。"),
    ("Directory {name} is a file.", "{name} 是文件，不是文件夹。"),
    ("Path {name} is a file.", "{name} 是文件。"),
    ("File {name} is not readable.", "文件 {name} 不可读。"),
    ("Path {name} is not readable.", "路径 {name} 不可读。"),
    ("File {name} is not writable.", "文件 {name} 不可写。"),
    ("Path {name} is not writable.", "路径 {name} 不可写。"),
    ("Could not open file {name}: {reason}", "无法打开文件 {name}：{reason}"),
    ("{value} is not {choice}.", "{value} 不是 {choice}。"),  # the one choice; last, as it reads like others
)


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    return re.compile(f"^{regex}$", re.DOTALL)


_PATTERNS = tuple((_pattern(en), zh) for en, zh in CLICK_MESSAGES)


def click_message_zh(message: str) -> str | None:
    """The Chinese of one of click's own messages (:data:`CLICK_MESSAGES`), or None for any other text."""
    for pattern, zh in _PATTERNS:
        m = pattern.match(message)
        if m is not None:
            values = m.groupdict()
            if "message" in values:
                values["message"] = click_message_zh(values["message"]) or values["message"]
            return zh.format(**values)
    return None


def usage_error_text(exc: click.UsageError, lang: str) -> str:
    """What ``exc`` shows: the command's usage, the hint to ``--help`` and the error, in ``lang``.

    A refusal the commands write themselves is already in the invocation's language (``output.text``) and is kept.
    """
    lines = []
    ctx = exc.ctx
    if ctx is not None:
        lines.append(ctx.get_usage())
        names = ctx.command.get_help_option_names(ctx) if ctx.command.get_help_option(ctx) is not None else []
        if names:
            lines.append(pick(TRY_HELP, lang).replace("{command}", ctx.command_path)
                         .replace("{option}", max(names, key=len)))
        lines.append("")
    message = exc.format_message()
    zh = click_message_zh(message)
    shown = message if zh is None else pick((zh, message), lang)
    lines.append(f"{label(ERROR, lang)}{shown}")
    return "\n".join(lines)


class LocalisedUsageError(click.UsageError):
    """A usage error shown in the invocation's language (:func:`usage_error_text`)."""

    def __init__(self, exc: click.UsageError, lang: str) -> None:
        super().__init__(exc.format_message(), exc.ctx)
        self.exit_code = exc.exit_code
        self._text = usage_error_text(exc, lang)

    def show(self, file: Any = None) -> None:
        click.echo(self._text, err=file is None, file=file)
