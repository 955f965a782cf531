"""Sites, substances and small problems the rule tests share.

Every rule test goes through ``builders.check``/``checked``, which also asserts that the
scalar ``explain`` agrees with the vectorised ``evaluate_rules`` on every check and on
the licence/exemption/approval columns of the arc.
"""
from __future__ import annotations

from matching.exemptions import EXEMPTION_RULES

from ..builders import build, need, offer, site

OIL = "64742-54-7"
PB = "7439-92-1"
PFOS = "1763-23-1"
H2SO4 = "7664-93-9"
NACN = "143-33-9"

GARAGE = site("GARAGE", industry="8111")
PLANT = site("PLANT", industry="2614", lat=31.32)  # chemical plant, produces industrial wastes
HANDLER = site("HANDLER", industry="7724", lat=31.35)  # licensed HW treatment
MAKER = site("MAKER", industry="2611", lat=31.33)  # inorganic acid maker: raw-material user
WWTP = site("WWTP", industry="4620", lat=31.31)  # industrial wastewater plant
SMELTER = site("SMELTER", industry="3120", lat=31.34)
RECYCLER = site("RECYCLER", industry="4210", lat=31.36)


def idx(code: str) -> int:
    """Index in ``EXEMPTION_RULES`` of the row with this key."""
    return next(i for i, r in enumerate(EXEMPTION_RULES) if r.key == code)


def oil_problem(*lics, offer_site=GARAGE, code="900-214-08", purpose="recycle"):
    return build([offer("O", offer_site, code=code, composition={OIL: 0.9})],
                 [need("N", HANDLER, purpose=purpose)], list(lics))


def acid_offer(ref="A", where=PLANT, **comp):
    composition = {H2SO4: 0.2}
    composition.update(comp)
    return offer(ref, where, code="900-300-34", composition=composition, title_zh="废硫酸")
