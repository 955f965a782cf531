"""The shipped element-fraction table: the same answers as the chemicals database, without loading it."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from catalog.chemistry import element_mass_fractions
from catalog.element_fraction_table import FRACTIONS
from catalog.element_fractions import element_fractions, known_substances, render_table

ROOT = Path(__file__).resolve().parents[2]


def test_table_agrees_with_the_database():
    for cas, value in FRACTIONS.items():
        assert value == element_mass_fractions(cas), cas


def test_every_substance_the_sources_name_is_in_the_table():
    # A new CAS number in the catalogue, the demo or the generator: run ``python -m catalog.element_fractions``.
    missing = [cas for cas in known_substances(ROOT) if cas not in FRACTIONS]
    assert not missing
    assert "7447-39-4" in FRACTIONS  # copper(II) chloride, named by the generator


def test_unknown_substances_fall_back_to_the_database():
    assert "7440-50-8" in FRACTIONS
    assert element_fractions("7440-50-8") == {"Cu": 1.0}
    assert element_fractions("not-a-cas") is None
    assert element_fractions("50-00-0 ") == element_mass_fractions("50-00-0")  # not normalised: the database answers


def test_rendered_table_is_what_is_shipped():
    assert render_table(sorted(FRACTIONS, key=lambda c: tuple(int(x) for x in c.split("-")))) == \
        (ROOT / "catalog" / "element_fraction_table.py").read_text(encoding="utf-8")


def test_a_park_run_does_not_load_the_chemicals_database():
    code = ("import sys; from benchmarks.generate import SETTINGS, generate_park; from matching.problem import Problem;"
            "from matching.similarity import SimilarityModel;"
            "o, n, lic = generate_park(300, 300, 0); SimilarityModel().fit(Problem(o, n, lic, settings=SETTINGS));"
            "print(any(m.startswith('chemicals.identifiers') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
