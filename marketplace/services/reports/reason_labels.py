"""The words a rating reason uses for the codes it cites: ledger finding codes and alert kinds, in both languages.

A reason reads "须整改：管控物质无许可" / "must be rectified: controlled without permit", never the stored
code. The Chinese names are the traceability services' own tables; the English is the code in words.
"""
from __future__ import annotations

from ..traceability.alerts import KIND_ZH as ALERT_KIND_ZH
from ..traceability.ledger_review import CODE_ZH as FINDING_CODE_ZH


def reason_label(code: str) -> tuple[str, str]:
    """(中文, English) of a finding code or alert kind; an unknown code stands as itself in both."""
    zh = FINDING_CODE_ZH.get(code) or ALERT_KIND_ZH.get(code)
    en = code.replace("_", " ")
    return (zh or code, en) if zh else (code, code)


def reason_labels(codes) -> tuple[str, str]:
    """Several codes as (``甲、乙``, ``a, b``)."""
    pairs = [reason_label(c) for c in codes]
    return "、".join(zh for zh, _ in pairs), ", ".join(en for _, en in pairs)
