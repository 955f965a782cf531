"""Chinese pages speak Chinese: the detector of English sentences and stored keys (``tests.e2e.language``) on
examples, and every refused form of the pages explaining itself in Chinese.

The crawl of every page of every role in both languages, which applies the same detector, runs on a phone
(``tests/e2e/test_phone.py``): Chinese pages show no English sentence, no page shows a stored key.
"""
from __future__ import annotations

import pytest

from tests.e2e.language import internal_keys, latin_sentences, offending

# --- the detector itself ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "须整改：controlled without permit",
    "许可证 L-001 covers 900-300-34 (listed code under category HW34)",
    "已全部匹配（every tonne is matched）",
    "Longer than maximum length 300.",
    "same enterprise on both sides",
    "ferrous sulfate and water",
])
def test_detector_finds_english_sentences(text):
    assert latin_sentences(text), text


@pytest.mark.parametrize("text", [
    "危险废物 HW34 废酸 900-300-34，CAS 7664-93-9",
    "每年 120 t，运输 12.5 km，减排 3.2 t CO2e",
    "导出 CSV / XLSX / JSON 报告（PDF 打印）",
    "联系 coord-ch@wastematch.example 或 e022@wastematch.example",
    "硫酸 H2SO4 与 NaOH 中和",
    "English",
    "EECM 评分 KPI",
    "许可证 JS-HW-2024-001",
    "two words",
    "例如 https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc",
])
def test_detector_passes_chinese_codes_units_and_names(text):
    assert latin_sentences(text) == [], text


def test_detector_finds_stored_keys():
    assert internal_keys("须整改：controlled_without_permit；检查 hw_licence") == ["controlled_without_permit", "hw_licence"]
    assert internal_keys("联系 coord_ch@wastematch.example，文件 report_2026.csv，代码 900-300-34") == []


def test_detector_reports_the_sentence_itself():
    assert latin_sentences("结果：no partner passes every hard check。") == ["no partner passes every hard check"]
    # a code or a Chinese word ends a run
    assert latin_sentences("ab cd 硫酸 ef gh") == []


# --- refused forms ----------------------------------------------------------------------------------

#: Every field of the form's first POST form filled wrongly: text far too long, numbers not numbers, dates
#: impossible; the browser's own checks are switched off so the server answers.
SPOIL_FORM_JS = """(selector) => {
  const form = document.querySelector(selector);
  form.noValidate = true;
  for (const el of form.querySelectorAll('input, textarea')) {
    if (['hidden', 'submit', 'button', 'checkbox', 'radio', 'file'].includes(el.type) || el.disabled) continue;
    el.removeAttribute('maxlength');
    if (el.type === 'date') { el.type = 'text'; el.value = '2026-13-45'; }
    else if (el.type === 'number' || el.inputMode === 'decimal' || el.inputMode === 'numeric') { el.type = 'text'; el.value = 'abc'; }
    else el.value = 'x'.repeat(2100);  // longer than any text the services take (reasons: 2,000)
  }
  return form.querySelectorAll('input, textarea').length;
}"""

# (user, page, link to follow from it or None, the form)
REFUSED_FORMS = [
    ("e022@wastematch.example", "/ledger/new", None, "form[method=post][action$='/ledger/new']"),
    ("e022@wastematch.example", "/listings/new?kind=offer", None, "form#listing-form"),
    ("e022@wastematch.example", "/listings/new?kind=need", None, "form#listing-form"),
    ("e022@wastematch.example", "/matches?awaiting=1", "a[href*='/matches/']", "form[action$='/decline']"),
    ("e039@wastematch.example", "/disclosures", None, "form[action$='/disclosures/generate']"),
    ("coord-ch@wastematch.example", "/runs", None, "form[action$='/runs']"),
    ("coord-ch@wastematch.example", "/alerts", None, "form[action$='/acknowledge']"),
    ("coord-ch@wastematch.example", "/ledger/findings", None, "form[action$='/dismiss']"),
    ("coord-ch@wastematch.example", "/roster", None, "form[action$='/remove']"),
]


@pytest.mark.parametrize("email, path, link, selector", REFUSED_FORMS)
def test_a_refused_form_explains_itself_in_chinese(sign_in, live_demo, email, path, link, selector):
    user = sign_in(email)
    user.watch.allow("422")  # Chromium logs the refused form's status as a console error
    page = user.page
    page.goto(live_demo.url + path)
    if link:
        page.locator(link).first.click()
        page.wait_for_load_state("load")
    assert page.evaluate(SPOIL_FORM_JS, selector) > 0
    with page.expect_navigation():
        page.evaluate("(s) => { const f = document.querySelector(s); HTMLFormElement.prototype.submit.call(f); }",
                      selector)
    assert page.locator("[aria-invalid=true], .error").count() > 0, f"{path} did not refuse the spoilt form"
    sentences = offending(page)
    assert not sentences, f"English sentences on the refused form {path}:\n    " + "\n    ".join(sentences)
