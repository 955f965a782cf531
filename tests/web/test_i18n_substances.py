"""Chemicals on pages: the Chinese name on Chinese pages (else the CAS number), what the user typed kept as typed;
and service texts whose English half starts with a name written in Chinese are still cut to one language."""
from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import Babel, force_locale

from web.i18n import SOURCES, compile_translations, current_locale, one_language, split_bilingual
from web.substances import substance_label

GYPSUM = "10101-41-4"


@pytest.fixture
def app(tmp_path):
    app = Flask(__name__)
    target = compile_translations(tmp_path / "translations", SOURCES)
    app.config.update(BABEL_TRANSLATION_DIRECTORIES=str(target))
    Babel(app, locale_selector=current_locale)
    return app


def test_chinese_pages_name_a_chemical_in_chinese_or_by_cas_never_in_english(app):
    with app.test_request_context():
        assert str(substance_label("calcium sulfate dihydrate (gypsum)", GYPSUM)) == "石膏"
        assert str(substance_label(None, "7664-93-9")) == "硫酸"
        # no Chinese name in the team's table: the CAS number, not the English name
        assert str(substance_label("formalin", "50-00-0")) == "甲醛"
        assert str(substance_label("unobtainium", "9999-99-9")) == "9999-99-9"


def test_typed_names_stay_as_typed_and_are_marked_as_user_content(app):
    with app.test_request_context():
        assert str(substance_label("废硫酸（含铁）", "7664-93-9")) == '<span data-user>废硫酸（含铁）</span>'
        assert str(substance_label("chemical residues", None)) == '<span data-user>chemical residues</span>'
        assert str(substance_label(None, None)) == ""
        with force_locale("en"):
            assert str(substance_label("ferrous sulfate", "7720-78-7")) == '<span data-user>ferrous sulfate</span>'
            assert str(substance_label(None, "7720-78-7")) == "7720-78-7"


def test_a_notice_whose_english_half_starts_with_a_chinese_name_is_cut(app):
    text = "甲公司 2025 年度环境信息依法披露：已公开 / 甲公司's 2025 annual environmental disclosure: published"
    assert split_bilingual(text) == ("甲公司 2025 年度环境信息依法披露：已公开",
                                     "甲公司's 2025 annual environmental disclosure: published")
    with app.test_request_context():
        assert one_language(text) == "甲公司 2025 年度环境信息依法披露：已公开"
    # a Chinese text with a slash and no English after it is not split
    assert split_bilingual("废酸 / 废碱 分类收集") is None
