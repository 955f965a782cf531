"""The Redactor: hidden names, refs and licence numbers are scrubbed from any text."""
from __future__ import annotations

from marketplace.services.accounts.disclosure import HIDDEN_ENTERPRISE, HIDDEN_LICENCE, Redactor


def redactor() -> Redactor:
    r = Redactor()
    r.hide("开发区汽车维修中心", "某企业")
    r.hide("E-1", "[ent]")
    r.hide("TJ-HW-0001", "[licence]")
    r.hide("Acme Chemicals", "[ent]")
    return r


def test_chinese_names_are_hidden_inside_text():
    assert redactor()("开发区汽车维修中心废机油") == "某企业废机油"


def test_latin_secrets_are_whole_tokens_in_any_case():
    r = redactor()
    assert r("licence tj-hw-0001 of e-1") == "licence [licence] of [ent]"
    assert r("E-10 and xE-1 are other tokens") == "E-10 and xE-1 are other tokens"
    assert r("ACME CHEMICALS Ltd") == "[ent] Ltd"


def test_every_string_of_a_document_is_scrubbed_and_nothing_else_changes():
    doc = {"title": "E-1 废油", "checks": [{"detail": "licence TJ-HW-0001", "passed": True}], "quantity_t": 3.5}
    assert redactor()(doc) == {"title": "[ent] 废油", "checks": [{"detail": "licence [licence]", "passed": True}],
                               "quantity_t": 3.5}
    assert not Redactor() and Redactor().text("E-1") == "E-1"


def test_each_half_of_a_bilingual_text_gets_the_placeholder_of_its_language():
    r = Redactor()
    r.hide("TJ-HW-0001", HIDDEN_LICENCE)
    r.hide("开发区汽车维修中心", HIDDEN_ENTERPRISE)
    detail = "开发区汽车维修中心的 TJ-HW-0001 经营范围 HW08 / TJ-HW-0001 of 开发区汽车维修中心 covers HW08"
    assert r(detail) == "某企业的 [许可证] 经营范围 HW08 / [licence] of an enterprise covers HW08"
    # a text in one language keeps the placeholder that the pages cut to their language
    assert r("TJ-HW-0001") == HIDDEN_LICENCE == "[许可证] ([licence])"
