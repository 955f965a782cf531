"""DESIGN rule 8, ``form``: the offer's physical form is one the need accepts."""
from __future__ import annotations

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
    accepted = [x for x in FORMS if x in c.need.forms]
    good = c.offer.form in c.need.forms
    zh = f"{form_zh(c.offer.form)}{'可接受' if good else '不可接受'}（需求接受：{'、'.join(map(form_zh, accepted)) or '无'}）"
    en = f"{c.offer.form} {'accepted' if good else 'not accepted'} (need accepts {', '.join(accepted) or 'nothing'})"
    return good, bilingual(zh, en)


RULE = Rule(SPEC, check, explain, pool_viability=True)
