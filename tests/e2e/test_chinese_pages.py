"""Chinese pages speak Chinese: crawl every page of every role in Chinese and fail on English sentences.

A sentence here is a run of three or more consecutive Latin words (two letters or more each) in
the page's visible text. Not sentences: proper names and acronyms on the allow list, codes (HW
codes, CAS and licence numbers: they hold digits), units, e-mail addresses, formulas, and user
content (elements marked ``data-user`` or with a ``lang`` other than Chinese: what a user typed
stays as typed). The language switch's "English" is a single word, so it never counts.
"""
from __future__ import annotations

import re

import pytest

from tests.e2e.crawl import crawl

ROLES = ("e022@wastematch.example", "e039@wastematch.example", "coord-ch@wastematch.example",
         "admin@wastematch.example")

#: Words that may stand in Chinese text: acronyms, units, standards, product and place names.
ALLOWED_WORDS = frozenset(w.casefold() for w in (
    "KPI", "EECM", "CSV", "XLSX", "JSON", "API", "PDF", "GB", "GBT", "HW", "POPs", "POP", "CAS", "CO2e", "CO2",
    "CNY", "RMB", "kg", "km", "t", "m³", "m3", "mg", "ppm", "pH", "COD", "BOD", "TOC", "SS", "VOCs", "VOC", "ID",
    "OK", "HTML", "URL", "HTTP", "GCJ", "WGS", "SQL", "OR-Tools", "wastematch", "English", "Chromium", "HJ",
    "TSP", "PM", "NOx", "SOx", "UN", "GHS", "MSDS", "SDS", "ISO"))

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
URL = re.compile(r"\bhttps?://\S+")  # an address is no sentence (e.g. a chat robot's webhook example)
# A token of Latin letters (with inner hyphens or apostrophes: "point-to-point", "park's").
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*[A-Za-z]|[A-Za-z]")
# Between two words of one sentence: blanks and light punctuation, no Chinese, digits or brackets.
GLUE = re.compile(r"^[\s,;:/&.\-–—]*$")


def latin_sentences(text: str) -> list[str]:
    """The runs of 3+ consecutive Latin words (2+ letters, not allow-listed, not codes) in ``text``."""
    text = URL.sub(" ", EMAIL.sub(" ", text))
    found: list[str] = []
    run: list[re.Match] = []

    def close() -> None:
        if len(run) >= 3:
            found.append(text[run[0].start():run[-1].end()])
        run.clear()

    for m in WORD.finditer(text):
        word = m.group()
        # Part of a code or formula (letters glued to digits: HW08, H2SO4, 900-300-34a) or too short.
        glued = (m.start() > 0 and text[m.start() - 1].isalnum()) or (m.end() < len(text) and text[m.end()].isalnum())
        counts = len(word) >= 2 and not glued and word.casefold() not in ALLOWED_WORDS and not word.isupper()
        if not counts:
            close()
            continue
        if run and not GLUE.match(text[run[-1].end():m.start()]):
            close()
        run.append(m)
    close()
    return found


#: The page's visible text, one string per block (a paragraph, a cell, a list item: inline parts such as
#: ``<strong>`` joined into their block's sentence), skipping user content and hidden parts. A piece of
#: user content inside a block stands as a break in it, so a sentence is never glued across it.
VISIBLE_TEXT_JS = """() => {
  const out = [];
  const skipped = el => el.closest('[data-user], code, kbd, pre, samp, script, style, noscript, template, [hidden], [aria-hidden=true]')
      || (el.closest('[lang]') && !el.closest('[lang]').lang.startsWith('zh'));
  const blockOf = el => {
    while (el.parentElement && getComputedStyle(el).display.startsWith('inline')) el = el.parentElement;
    return el;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const byParent = new Map();
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || !n.textContent.trim()) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    const block = blockOf(el);
    byParent.set(block, (byParent.get(block) || '') + (skipped(el) ? ' | ' : n.textContent));
  }
  for (const [el, text] of byParent) out.push(text.replace(/\\s+/g, ' ').trim());
  // what a select, an input or a button says also shows
  for (const el of document.querySelectorAll('input[placeholder], textarea[placeholder]'))
    if (!skipped(el)) out.push(el.placeholder);
  for (const el of document.querySelectorAll('[title]'))
    if (!skipped(el)) out.push(el.title);
  return out;
}"""


#: A stored key shown as it is stored (``hw_licence``, ``controlled_without_permit``): words joined by ``_``.
INTERNAL_KEY = re.compile(r"(?<![\w.@/-])[a-z]{2,}(?:_[a-z0-9]+)+(?![\w.@/-])")


def internal_keys(text: str) -> list[str]:
    """The stored keys (snake_case words) in ``text``: a page names things, it does not show their keys."""
    return INTERNAL_KEY.findall(EMAIL.sub(" ", text))


def offending(page) -> list[str]:
    """The Latin sentences and stored keys in ``page``'s visible text, each once."""
    out: list[str] = []
    for text in page.evaluate(VISIBLE_TEXT_JS):
        for sentence in latin_sentences(text) + [f"key {k}" for k in internal_keys(text)]:
            if sentence not in out:
                out.append(sentence)
    return out


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


# --- the pages ---------------------------------------------------------------------------------------

def _report(found: dict[str, list[str]]) -> str:
    return "\n".join(f"{url}\n    " + "\n    ".join(sentences) for url, sentences in found.items())


@pytest.mark.parametrize("email", ROLES)
def test_chinese_pages_of_each_role_have_no_english_sentences(sign_in, live_demo, email):
    user = sign_in(email)
    found: dict[str, list[str]] = {}
    pages = 0
    for url in crawl(user.page, live_demo.url):
        assert user.page.evaluate("document.documentElement.lang").startswith("zh"), url
        pages += 1
        sentences = offending(user.page)
        if sentences:
            found[url.removeprefix(live_demo.url)] = sentences
    assert pages >= 10, f"the crawl of {email} reached only {pages} pages"
    assert not found, f"English sentences on Chinese pages of {email}:\n{_report(found)}"


def test_public_pages_in_chinese_have_no_english_sentences(browser, live_demo):
    context = browser.new_context(locale="zh-CN")
    try:
        page = context.new_page()
        found: dict[str, list[str]] = {}
        for url in crawl(page, live_demo.url, start=("/", "/signin", "/public/disclosures")):
            sentences = offending(page)
            if sentences:
                found[url.removeprefix(live_demo.url)] = sentences
        assert not found, f"English sentences on Chinese public pages:\n{_report(found)}"
    finally:
        context.close()


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


@pytest.mark.parametrize("email", ROLES)
def test_english_pages_of_each_role_show_no_stored_keys(sign_in, live_demo, email):
    user = sign_in(email, lang="en")
    found: dict[str, list[str]] = {}
    for url in crawl(user.page, live_demo.url):
        assert user.page.evaluate("document.documentElement.lang").startswith("en"), url
        keys = [k for text in user.page.evaluate(VISIBLE_TEXT_JS) for k in internal_keys(text)]
        if keys:
            found[url.removeprefix(live_demo.url)] = sorted(set(keys))
    assert not found, f"stored keys on English pages of {email}:\n{_report(found)}"
