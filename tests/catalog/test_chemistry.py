"""Chemical identities from the chemicals package, joined with the control lists."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from catalog.cas import is_valid_cas
from catalog.chemistry import ZH_NAMES, ChemicalIdentity, lookup, lookup_cas

REPO = Path(__file__).resolve().parents[2]


def test_importing_the_module_does_not_load_the_chemicals_package():
    code = "import sys, catalog.chemistry; print('chemicals' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_zh_names_are_valid_cas_numbers():
    assert all(is_valid_cas(cas) for cas in ZH_NAMES.values())


@pytest.mark.parametrize("bad", ["75-09-3", "７５－０９－３", "1763-23-2"])
def test_wrong_check_digit_is_a_value_error(bad):
    # Raised before any database is touched.
    with pytest.raises(ValueError, match="check digit"):
        lookup(bad)
    with pytest.raises(ValueError, match="check digit"):
        lookup_cas(bad)


def test_lookup_cas_rejects_non_cas_text():
    with pytest.raises(ValueError, match="NNNNNNN-NN-N"):
        lookup_cas("toluene")


def test_empty_query_is_none():
    assert lookup("") is None and lookup("   ") is None


@pytest.mark.slow
def test_dichloromethane_by_cas():
    dcm = lookup("75-09-2")
    assert isinstance(dcm, ChemicalIdentity)
    assert dcm.cas == "75-09-2" and dcm.name == "dichloromethane" and dcm.name_zh == "二氯甲烷"
    assert dcm.formula == "CH2Cl2" and dcm.molecular_weight == pytest.approx(84.93, abs=0.01)
    assert dcm.boiling_point_k == pytest.approx(313.0, abs=1.0)
    assert dcm.twa is not None and dcm.twa.unit in {"ppm", "mg/m^3"} and dcm.twa.value > 0
    assert any("2A" in status for _, status in dcm.carcinogen)
    assert [c.key for c in dcm.control] == ["dichloromethane"]
    assert not dcm.is_pop and dcm.in_database and dcm.record_cas is None


@pytest.mark.slow
def test_toluene_by_name_and_by_chinese_name():
    tol = lookup("toluene")
    assert tol.cas == "108-88-3" and tol.formula == "C7H8"
    assert tol.flash_point_k == pytest.approx(277, abs=3)
    assert lookup("甲苯") == tol
    assert lookup("  Toluene ").cas == "108-88-3"


@pytest.mark.slow
def test_fullwidth_cas_and_cache():
    first = lookup("７５－０９－２")
    again = lookup("75-09-2")
    assert again is first  # cached: the same object, not a second lookup


@pytest.mark.slow
def test_pops_carry_their_control_entries():
    pfos = lookup("1763-23-1")
    assert pfos.is_pop and pfos.control[0].key == "pfos" and pfos.formula == "C8HF17O3S"
    # Known only from the control lists: no properties, but still an identity.
    sccp = lookup("85535-84-8")
    assert sccp is not None and not sccp.in_database and sccp.formula is None
    assert sccp.control[0].key == "sccp" and sccp.name_zh == "短链氯化石蜡"
    assert lookup("短链氯化石蜡").cas == "85535-84-8"


@pytest.mark.slow
def test_related_record_keeps_the_asked_number_and_both_controls():
    # ChEDL answers dieldrin's number with its stereoisomer's record (72-20-8).
    dieldrin = lookup("60-57-1")
    assert dieldrin.cas == "60-57-1"
    assert dieldrin.record_cas in (None, "72-20-8")
    assert "dieldrin" in {c.key for c in dieldrin.control}


@pytest.mark.slow
@pytest.mark.parametrize("query", ["9999-99-9", "1234-56-6", "no such chemical xyz", "未知物质"])
def test_unknown_is_none_not_an_exception(query):
    assert lookup(query) is None


@pytest.mark.slow
@pytest.mark.parametrize("query, cas", [
    ("dust", None), ("speed", None), ("crystal", None), ("XTC", None),  # street names ChEDL knows as drugs
    ("PCBs", "1336-36-3"), ("PFOS", "1763-23-1"), ("DMF", "68-12-2"), ("98% 硫酸", "7664-93-9"),
])
def test_a_name_is_looked_up_as_the_listings_resolve_it(query, cas):
    # The form's CAS lookup and GET /catalog/chemicals answered "dust" with phencyclidine and "PCBs" with fenson:
    # names now go through catalog.resolve, as a listing's composition rows do.
    found = lookup(query)
    assert (found.cas if found else None) == cas


@pytest.mark.slow
def test_zh_names_resolve_to_the_identity_of_their_number():
    # A Chinese name of the table is answered with the identity of its CAS number; polymers, oils
    # and other numbers ChEDL lacks have none unless a control list knows them (the resolver of
    # catalog.resolve still gives their number).
    wrong = {name: cas for name, cas in ZH_NAMES.items() if lookup(name) != lookup_cas(cas)}
    assert wrong == {}
    assert len(ZH_NAMES) >= 250


@pytest.mark.slow
@pytest.mark.parametrize("name, cas", [
    ("甲苯", "108-88-3"), ("硫酸", "7664-93-9"), ("铁", "7439-89-6"), ("氧化钙", "1305-78-8"),
    ("二氧化硅", "7631-86-9"), ("硫酸亚铁", "7720-78-7"), ("石膏", "10101-41-4"), ("氯仿", "67-66-3"),
])
def test_common_zh_names_are_chedl_records(name, cas):
    found = lookup(name)
    assert found is not None and found.cas == cas and found.in_database and found.record_cas is None


@pytest.mark.slow
def test_works_without_network():
    # A fresh interpreter whose sockets refuse to connect: the databases ship with the package.
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise OSError('network disabled in test')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "socket.getaddrinfo = refuse\n"
        "from catalog.chemistry import lookup\n"
        "assert lookup('9999-99-9') is None\n"  # a miss loads the large database too
        "assert lookup('1763-23-1').formula == 'C8HF17O3S'\n"
        "assert lookup('benzene').cas == '71-43-2'\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], check=False, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
