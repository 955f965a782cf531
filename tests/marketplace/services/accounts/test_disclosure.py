"""The Redactor: hidden names, refs and licence numbers are scrubbed from any text."""
from __future__ import annotations

from marketplace.services.accounts.disclosure import Redactor


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
