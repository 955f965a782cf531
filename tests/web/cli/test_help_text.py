"""``--help`` and click's usage errors in Chinese, English or both (``web.cli.help_text``)."""
from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from web.cli import main
from web.cli.help_text import (
    CATALOG,
    LocalisedCommand,
    LocalisedGroup,
    catalog,
    click_message_zh,
    units_by_module,
    walk,
)

CJK = re.compile(r"[\u4e00-\u9fff]")
# An English word of three letters or more: what a Chinese help page must not show outside names and values.
ENGLISH_WORD = re.compile(r"(?<![\w\-./'])[A-Za-z]{3,}(?![\w\-./'])")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), prog_name="wastematch", catch_exceptions=False)


def test_every_command_is_localised():
    plain = [path for path, cmd in walk(main) if not isinstance(cmd, (LocalisedCommand, LocalisedGroup))]
    assert not plain, f"commands made with click.command/click.group, not help_text.command/group: {plain}"


def test_every_help_text_has_its_chinese_in_the_file_of_its_module():
    known = catalog()
    missing = {m: [u for u in units if u not in known] for m, units in units_by_module(main).items()}
    missing = {m: units for m, units in missing.items() if units}
    assert not missing, f"help without Chinese (scripts/cli_help_missing.py prints them as .po entries): {missing}"
    for english, zh in known.items():
        assert CJK.search(zh), f"translation of {english!r} holds no Chinese: {zh!r}"


def test_the_catalogue_holds_no_entry_nobody_uses_and_no_english_help_holds_chinese():
    used = {u for units in units_by_module(main).values() for u in units}
    assert not set(catalog()) - used, f"entries of {CATALOG} no command uses: {sorted(set(catalog()) - used)}"
    # The English help is English: its Chinese is the catalogue's (else ``--lang en`` would show Chinese).
    assert not [u for u in used if CJK.search(u)]


def test_each_module_keeps_its_translations_in_its_own_file():
    files = {p.stem for p in CATALOG.glob("*.po")}
    assert set(units_by_module(main)) <= files


def _commands() -> list[list[str]]:
    return [path.split()[1:] for path, _cmd in walk(main)]


@pytest.mark.parametrize("words", _commands(), ids=lambda w: " ".join(w) or "wastematch")
def test_help_in_chinese_has_no_english_sentence(words):
    result = invoke("--lang", "zh", *words, "--help")
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("用法：") and ("选项：" in out)
    # Names and values stay as they are typed (--json, HW08, wastematch.v1, CSV, URL); no English words otherwise.
    prose = re.sub(r"(?<![\w-])--?\w[\w-]*|\b[A-Z][A-Z0-9_.-]*\b|\[[^\]]*\]|'[^']*'|`[^`]*`|\S*[./_=:@|]\S*", " ", out)
    words_left = [w for w in ENGLISH_WORD.findall(prose) if w.lower() not in _COMMAND_WORDS]
    assert not words_left, f"English on the Chinese help of {' '.join(words) or 'wastematch'}: {words_left}\n{out}"


# Command names and metavars a help page lists as they are typed.
_COMMAND_WORDS = {w for path, cmd in walk(main) for w in path.split()} | {
    "options", "command", "args", "text", "integer", "float", "path", "file", "filename", "choice", "date",
    "datetime", "boolean", "uuid", "zh", "en", "both", "json", "html", "csv", "xlsx", "pdf", "local", "dask",
}


def test_help_in_english_is_english_and_both_puts_chinese_first():
    en = invoke("--lang", "en", "ledger", "--help").output
    assert en.startswith("Usage: ") and "Options:" in en and not CJK.search(en)
    both = invoke("--lang", "both", "ledger", "--help").output
    assert both.startswith("用法 / Usage: ") and "选项 / Options:" in both and "命令 / Commands:" in both
    zh_at, en_at = both.index(catalog()[_ledger_help()]), both.index(_ledger_help())
    assert zh_at < en_at


def _ledger_help() -> str:
    return next(u for u in units_by_module(main)["ledger"] if u.startswith("Chemical flow ledger"))


def test_the_root_help_follows_lang_given_before_it():
    assert invoke("--lang", "zh", "--help").output.startswith("用法：")
    assert invoke("--lang", "en", "--help").output.startswith("Usage: ")


@pytest.mark.parametrize(("args", "zh", "en"), [
    (["match", "--bogus"], "错误：没有选项 '--bogus'。", "Error: No such option '--bogus'."),
    (["nope"], "错误：没有命令 'nope'。", "Error: No such command 'nope'."),
    (["roster", "--year", "x"], "错误：'--year' 的值无效：'x' 不是有效的整数。",
     "Error: Invalid value for '--year': 'x' is not a valid integer."),
    (["import"], "错误：缺少参数 'FILE'。", "Error: Missing argument 'FILE'."),
    (["match", "--time-limit"], "错误：选项 '--time-limit' 需要一个值。", "Error: Option '--time-limit' requires an argument."),
])
def test_click_usage_errors_speak_the_invocation_language(args, zh, en):
    for lang, expected, other in (("zh", zh, en), ("en", en, zh)):
        result = invoke("--lang", lang, *args)
        assert result.exit_code == 2
        assert expected in result.output and other not in result.output, result.output
    both = invoke("--lang", "both", *args)
    assert both.exit_code == 2 and "错误 / Error: " in both.output
    assert zh.removeprefix("错误：") in both.output and en.removeprefix("Error: ") in both.output


def test_a_wrong_lang_is_refused_in_the_language_of_the_environment(monkeypatch):
    monkeypatch.setenv("WASTEMATCH_LANG", "zh")
    result = invoke("--lang", "fr", "--help")
    assert result.exit_code == 2
    assert "'--lang' 的值无效：'fr' 不在可选值 'zh', 'en', 'both' 之中。" in result.output


def test_a_command_s_own_usage_error_is_kept_as_it_wrote_it():
    result = invoke("--lang", "zh", "roster", "obligation", "1")
    assert result.exit_code == 2
    assert "请指定 --done、--waive 或 --reopen" in result.output and "give --done" not in result.output


def test_click_messages_that_are_not_click_s_are_left_alone():
    assert click_message_zh("no database at /x: run `wastematch init` first") is None
    assert click_message_zh("'7' is not one of 'zh', 'en', 'both'.") == "'7' 不在可选值 'zh', 'en', 'both' 之中。"
    assert click_message_zh("Invalid value for '--n': 'x' is not a valid float.") == "'--n' 的值无效：'x' 不是有效的数字。"


def test_a_group_without_a_command_shows_its_help_in_the_language():
    result = invoke("--lang", "zh", "ledger")
    assert result.exit_code in (0, 2)
    assert "用法：" in result.output and "Usage:" not in result.output


def test_options_notes_are_translated():
    @click.command(cls=LocalisedCommand)
    @click.option("--n", type=int, default=3, show_default=True, help="How many.")
    @click.option("--x", required=True, help="Which.")
    def cmd(n, x):
        """Does it."""

    for lang, needles in (("zh", ["默认：3", "必填"]), ("en", ["default: 3", "required"])):
        ctx = click.Context(cmd, obj=None)
        ctx.ensure_object(dict)
        from web.cli.context import Cli

        ctx.obj = Cli(url="", lang=lang)
        text = cmd.get_help(ctx)
        for needle in needles:
            assert needle in text


def test_ctrl_c_is_said_in_the_invocation_language(monkeypatch):
    from web.cli import users

    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(users.users.commands["list"], "callback", interrupted)
    for lang, said in (("zh", "已中止"), ("en", "Aborted"), ("both", "已中止 / Aborted")):
        result = invoke("--lang", lang, "users", "list")
        assert result.exit_code == 1 and said in result.output and "Aborted!" not in result.output, result.output
