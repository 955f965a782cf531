"""marshmallow's English messages: in Chinese on Chinese pages, ``english (中文)`` in the API's errors."""
from __future__ import annotations

import pytest
from flask import Flask, session
from flask_babel import Babel, force_locale

from web.i18n import SOURCES, compile_translations, current_locale, localise_message
from web.schema_messages import SCHEMA_MESSAGES, bilingual_errors, schema_message


@pytest.fixture
def app(tmp_path):
    app = Flask(__name__)
    app.secret_key = "t"
    target = compile_translations(tmp_path / "translations", SOURCES)
    app.config.update(BABEL_TRANSLATION_DIRECTORIES=str(target))
    Babel(app, locale_selector=current_locale)
    return app


@pytest.mark.parametrize("english, chinese", [
    ("Longer than maximum length 300.", "长度不得超过 300。"),
    ("Not a valid integer.", "不是有效的整数。"),
    ("Must be one of: offer, need.", "须为以下之一：offer, need。"),
    ("Unknown field.", "未知字段。"),
    ("Must be greater than or equal to 1 and less than or equal to 50.", "须不小于 1 且不大于 50。"),
    ("Length must be between 8 and 128.", "长度须在 8 到 128 之间。"),
    # one end inclusive: the two-exclusive template once swallowed these ("须大于 0 且小于 or equal to 60。")
    ("Must be greater than 0 and less than or equal to 60.", "须大于 0 且不大于 60。"),
    ("Must be greater than or equal to 0 and less than 1.", "须不小于 0 且小于 1。"),
])
def test_marshmallow_messages_in_chinese_on_chinese_pages_and_unchanged_in_english(app, english, chinese):
    with app.test_request_context():
        assert schema_message(english) == chinese and localise_message(english) == chinese
        with force_locale("en"):
            assert localise_message(english) == english


def test_other_messages_are_not_schema_messages(app):
    with app.test_request_context():
        assert schema_message("a listing needs a title or a title_zh") is None
        assert localise_message("the listing was not found (未找到)") == "未找到"


def test_every_template_has_a_chinese_translation(app):
    with app.test_request_context():
        for _pattern, msgid in SCHEMA_MESSAGES:
            with force_locale("en"):
                english = str(msgid)
            assert str(msgid) != english, f"untranslated: {english}"


def test_api_errors_carry_both_languages(app):
    errors = {"json": {"title": ["Longer than maximum length 300."], "kind": ["Must be one of: offer, need."],
                       "quantity_t": ["must be at most 100,000,000 t per year (数量超出合理上限)"]}}
    with app.test_request_context():
        session["lang"] = "en"  # the API gives both whatever the session's language
        with force_locale("en"):
            out = bilingual_errors(errors)["json"]
    assert out["title"] == ["Longer than maximum length 300. (长度不得超过 300。)"]
    assert out["kind"] == ["Must be one of: offer, need. (须为以下之一：offer, need。)"]
    assert out["quantity_t"] == errors["json"]["quantity_t"]  # a service's message stays as written


@pytest.mark.parametrize("english, chinese, tidy", [
    ("required", "必填。", "Required."),
    ("text of at most 2000 characters, without NUL", "最多 2000 个字符。", "At most 2000 characters."),
    ("must be a year between 2000 and 2100", "须为 2000 到 2100 之间的年份。", "Must be a year between 2000 and 2100."),
])
def test_short_service_reasons_in_chinese_on_pages_but_as_written_in_the_api(app, english, chinese, tidy):
    with app.test_request_context():
        assert localise_message(english) == chinese
        with force_locale("en"):
            assert localise_message(english) == tidy
        assert bilingual_errors({"note": [english]}) == {"note": [english]}


def test_form_summary_names_fields_by_their_labels_never_by_the_bare_key(app):
    from web.field_labels import field_label

    with app.test_request_context():
        assert str(field_label("batch_code")) == "批号"
        assert str(field_label("components.0.cas")) == "<code>components.0.cas</code>"
        assert localise_message("at most 64 characters") == "最多 64 个字符。"
        assert localise_message("must be a number, got 'abc'") == "不是有效的数字。"
