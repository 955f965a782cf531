"""One rule for typed tonnes on every page (``web.pages.typed_numbers``): what one form reads, the others read the
same way, and what one refuses, the others refuse, each with its reason in the page's language."""
from __future__ import annotations

import pytest

from marketplace.schemas.numbers import PROBLEMS
from web.pages import hw_plans, shipments, surveys
from web.pages.common import FormErrors
from web.pages.typed_numbers import NUMBER_PROBLEMS, typed_tonnes


def _readers():
    """Each page's reader of a tonnes field with no unit beside it, as ``(tonnes or None, reason or None)``."""
    def shipment(text):
        errors = FormErrors()
        value = shipments.parse_tonnes(text, "q", errors, required=True, zero_ok=True)
        return value, (errors.fields.get("q") or [None])[0]

    def plan(text):
        errors = FormErrors()
        value = hw_plans._tonnes(text, "q", errors)
        reason = (errors.fields.get("q") or [None])[0]
        return (None if reason else value), reason

    return {"survey, declaration, collection": surveys.parse_tonnes, "shipment": shipment, "plan": plan,
            "shared": typed_tonnes}


@pytest.mark.parametrize(("typed", "tonnes"), [("20,5", 20.5), ("２０．５", 20.5), ("1,234.5", 1234.5),
                                               ("300 kg", 0.3), ("1,5吨", 1.5), ("12", 12.0)])
def test_every_page_reads_a_typed_mass_the_same_way(pages_app, typed, tonnes):
    with pages_app.test_request_context("/"):
        for page, read in _readers().items():
            value, reason = read(typed)
            assert reason is None and value == pytest.approx(tonnes), (page, typed, reason)


@pytest.mark.parametrize(("typed", "zh"), [("20,500", "可能是 20.5，也可能是 20500"), ("1e9", "指数"),
                                           ("二十", "吨数"), ("5 m3", "密度")])
def test_every_page_refuses_the_same_texts_with_the_same_reason(pages_app, typed, zh):
    with pages_app.test_request_context("/", headers={"Accept-Language": "zh-CN"}):
        reasons = {page: read(typed) for page, read in _readers().items()}
    for page, (value, reason) in reasons.items():
        assert value is None and reason and zh in reason, (page, typed, reason)


def test_every_problem_the_reader_gives_has_its_sentence_in_both_languages(pages_app):
    """A code without its sentence would show "Not a valid number." for another reason, or English on a Chinese page."""
    assert set(PROBLEMS) == set(NUMBER_PROBLEMS)
    for language in ("zh-CN", "en"):
        with pages_app.test_request_context("/", headers={"Accept-Language": language}):
            texts = {code: str(text) for code, text in NUMBER_PROBLEMS.items()}
        assert all(texts.values()), language
        if language == "zh-CN":
            assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in texts.values()), texts
