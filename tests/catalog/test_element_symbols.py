"""The shipped element table (``catalog.element_symbols``) is the ``chemicals`` package's periodic table."""
from __future__ import annotations

from chemicals.elements import periodic_table

from catalog.chemistry import element_symbol
from catalog.element_symbols import SYMBOLS


def test_the_shipped_table_is_the_packages_periodic_table():
    assert SYMBOLS == {e.CAS: e.symbol for e in periodic_table}


def test_element_symbol_reads_cas_numbers_and_still_symbols_and_names():
    assert element_symbol("7440-50-8") == "Cu"
    assert element_symbol("7732-18-5") is None  # water: a compound, not an element
    assert element_symbol("Cu") == periodic_table["Cu"].symbol
    assert element_symbol("not a substance") is None
