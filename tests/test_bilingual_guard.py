"""The guard that fails a test raising an English-only refusal (``tests.bilingual_guard``) tells the two apart."""
from __future__ import annotations

import pytest

from marketplace.errors import NotFound, ValidationFailed
from tests import bilingual_guard


@pytest.mark.parametrize("message", [
    "no listing 5 (无此挂牌 5)",
    "the webhook must be an http(s) URL (机器人地址须为 http(s) 网址)",  # a bracket inside the Chinese half
    "no park with code 'Released (t)' (园区代码 'Released (t)' 不存在)",  # a typed value with brackets
    "dispatch (发运端) or receipt (接收端)",
    "需提供检测报告 / needs an analysis report",
    "日期格式应为 YYYY-MM-DD",  # a page's text gettext already gave in Chinese
    "required",  # a short phrase the web layer translates
    "Longer than maximum length 300.",  # marshmallow's own
    "E-022",  # a code: no words
    "12.5",
])
def test_a_refusal_a_chinese_page_can_show(message):
    assert not bilingual_guard.english_only(message)


@pytest.mark.parametrize("message", [
    "no listing 5",
    "requires coordinator or admin",
    "the webhook must be an http(s) URL (机器人地址须为 http(s) 网址((s)))",  # pages cannot split brackets two deep
    "open shipments remain: M-1 未完成",  # Chinese beside an English sentence, not as its half
])
def test_an_english_only_refusal(message):
    assert bilingual_guard.english_only(message)


def test_the_guard_records_the_field_at_fault():
    bilingual_guard.install()
    before = list(bilingual_guard.seen)
    try:
        ValidationFailed("bad input (输入有误)", {"rows": [{"quantity_t": ["must be positive"]}], "ref": ["必填 (required)"]})
        NotFound("no such listing (无此挂牌)")
        assert bilingual_guard.seen[len(before):] == ["ValidationFailed: rows.quantity_t: 'must be positive'"]
    finally:
        bilingual_guard.seen[:] = before
