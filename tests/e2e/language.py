"""What the browser tests read as a page's language: English sentences on Chinese pages, stored keys on any page.

A sentence here is a run of three or more consecutive Latin words (two letters or more each) in
the page's visible text. Not sentences: proper names and acronyms on the allow list, codes (HW
codes, CAS and licence numbers: they hold digits), units, e-mail addresses, formulas, and user
content (elements marked ``data-user`` or with a ``lang`` other than Chinese: what a user typed
stays as typed). The language switch's "English" is a single word, so it never counts. A stored
key is a snake_case word (``hw_licence``): a page names things, it does not show their keys.
"""
from __future__ import annotations

import re

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


def latin_sentences(text: str, min_words: int = 3) -> list[str]:
    """The runs of ``min_words``+ consecutive Latin words (2+ letters, not allow-listed, not codes) in ``text``."""
    text = URL.sub(" ", EMAIL.sub(" ", text))
    found: list[str] = []
    run: list[re.Match] = []

    def close() -> None:
        if len(run) >= min_words:
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
