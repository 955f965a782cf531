"""The command line's language (``wastematch --lang``, ``WASTEMATCH_LANG``, the locale): lines for people in Chinese,
in English or in both; a refusal's message in the language chosen."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from web.cli import main
from web.cli.output import locale_language

from .runner import chinese_words, english_sentences, run_in


@pytest.mark.parametrize(("environ", "expected"), [
    ({"LANG": "zh_CN.UTF-8"}, "zh"),
    ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
    ({"LANG": "en_US.UTF-8"}, "both"),  # a server's default locale says nothing of who reads
    ({"LANG": "C.UTF-8"}, "both"),
    ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "both"),  # LC_ALL wins
    ({}, "both"),
])
def test_the_locale_chooses_chinese_or_both(environ, expected):
    assert locale_language(environ) == expected


def test_the_option_names_the_languages():
    result = CliRunner().invoke(main, ["--lang", "fr", "catalog", "status"])
    assert result.exit_code == 2 and "'zh', 'en', 'both'" in result.output


def test_a_refusal_in_each_language(tmp_path):
    url = f"sqlite:///{tmp_path / 'none.sqlite3'}"
    zh = run_in("zh", url, "init")
    assert zh.exit_code == 0 and "数据库: " in zh.stderr and not english_sentences(zh.stderr), zh.stderr
    en = run_in("en", url, "users", "add", "x@example.com", "--role", "enterprise", ok=False)
    assert en.exit_code != 0 and not chinese_words(en.stderr), en.stderr
    zh = run_in("zh", url, "users", "add", "x@example.com", "--role", "enterprise", ok=False)
    assert zh.exit_code != 0 and not english_sentences(zh.stderr), zh.stderr


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_missing_database_is_refused_in_the_language_asked(tmp_path, lang):
    result = run_in(lang, f"sqlite:///{tmp_path / 'nowhere.sqlite3'}", "users", "list", ok=False)
    assert result.exit_code == 1 and "wastematch init" in result.output
    if lang == "zh":
        assert "\n错误: 数据库 " in result.output and "不存在" in result.output
        assert english_sentences(result.output) == [], result.output
    else:
        assert "\nError: no database at" in result.output and not chinese_words(result.output)
    assert not (tmp_path / "nowhere.sqlite3").exists()
