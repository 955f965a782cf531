"""A page's upload over ``MAX_CONTENT_LENGTH`` (issue 18) is a 413 page in the page's language, naming the limit."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from marketplace.models import LedgerEntry


def test_an_upload_over_max_content_length_is_a_bilingual_page(pages_on_backend, monkeypatch):
    pages = pages_on_backend
    monkeypatch.setitem(pages.app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    pages.sign_in("e1")
    big = b"batch_code,direction\n" + b"B-1,in\n" * 20_000
    for lang, title, told in (("zh_CN", "上传文件过大", "提交的内容超过 0.0625 MB"),
                              ("en", "The upload is too large", "What was sent is larger than 0.0625 MB")):
        pages.language(lang)
        res = pages.post("/ledger/import", {"file": (io.BytesIO(big), "ledger.csv")}, content_type="multipart/form-data")
        page = res.get_data(as_text=True)
        assert res.status_code == 413 and title in page and told in page
    assert pages.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


@pytest.mark.parametrize(("name", "data"), [
    ("nested 100,000 deep", b"[" * 100_000 + b"]" * 100_000),
    ("a lone surrogate", b'[{"batch_code": "\\ud800", "direction": "in"}]'),
    ("an integer of 5,000 digits", b'[{"quantity_t": ' + b"9" * 5000 + b"}]"),
])
def test_a_json_ledger_file_that_cannot_be_read_is_refused_on_the_page(pages_on_backend, name, data):
    pages = pages_on_backend
    pages.sign_in("e1")
    pages.language("en")
    res = pages.post("/ledger/import", {"file": (io.BytesIO(data), "ledger.json")}, content_type="multipart/form-data")
    assert res.status_code == 422, name
    assert pages.session.scalar(select(func.count()).select_from(LedgerEntry)) == 0
