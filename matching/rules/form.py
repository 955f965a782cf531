"""DESIGN rule 8, ``form``: the offer's physical form is one the need accepts."""
from __future__ import annotations

import functools

import numpy as np

from ..problem import FORMS
from .base import ArcBatch, ArcCase, Rule, RuleSpec, Verdict
from .text import bilingual, form_zh

SPEC = RuleSpec("form", True, "物理形态", "Physical form", "The offer's form is one the need accepts.")


def check(b: ArcBatch) -> np.ndarray:
    """The offer's form bit is set in the need's accepted forms."""
    return ((b.pn.forms[b.n].astype(np.int64) >> b.po.form[b.o]) & 1).astype(bool)


def explain(c: ArcCase) -> Verdict:
    """The offer's form and the forms the need accepts."""
    return _verdict(c.offer.form, frozenset(c.need.forms))  # the same set when it is frozen already


@functools.lru_cache(maxsize=1024)  # one per proposal otherwise; few (form, accepted forms) combinations
def _verdict(form: str, forms: frozenset[str]) -> Verdict:
    accepted = [x for x in FORMS if x in forms]
    good = form in forms
    zh = f"{form_zh(form)}{'可接受' if good else '不可接受'}（需求接受：{'、'.join(map(form_zh, accepted)) or '无'}）"
    en = f"{form} {'accepted' if good else 'not accepted'} (need accepts {', '.join(accepted) or 'nothing'})"
    return good, bilingual(zh, en)


RULE = Rule(SPEC, check, explain, pool_viability=True)
