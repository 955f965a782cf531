"""The KPI registry: every figure of the document's blocks is named there once, in both languages, with a unit
the renderers know; its groups hold their scope's figures in the order of the tables they define."""
from __future__ import annotations

import re

from marketplace.services.reports import kpi_registry as reg
from marketplace.services.reports.kpis import Totals
from marketplace.services.reports.render.tables import ENTERPRISE_TAIL, FLOW_COLUMNS, MONTH_COLUMNS

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_kpi_has_both_languages_a_unit_and_known_scopes():
    for k in reg.KPIS.values():
        assert CJK.search(k.zh) and not CJK.search(k.en) and k.en.strip() == k.en, k.key
        assert k.unit in reg.UNITS and k.scopes and set(k.scopes) <= set(reg.SCOPES), k.key
        assert bool(k.definition_zh) == bool(k.definition_en), k.key


def test_no_two_kpis_of_a_scope_share_a_name():
    for scope in reg.SCOPES:
        group = [k for k in reg.KPIS.values() if scope in k.scopes]
        for lang in ("zh", "en"):
            names = [getattr(k, lang) for k in group]
            assert len(names) == len(set(names)), (scope, lang, names)


def test_the_basis_totals_are_the_documents():
    assert sorted(k.key for k in reg.BASIS_TOTALS) == sorted(Totals().as_dict())


def test_the_groups_hold_their_scope_in_the_tables_order():
    groups = {reg.PARK: reg.PARK_RATES, reg.ENTERPRISE: reg.ENTERPRISE_FIGURES, reg.MONTH: reg.MONTH_FIGURES,
              reg.FLOW: reg.FLOW_FIGURES, reg.COMPLIANCE: reg.COMPLIANCE_BREAKDOWNS}
    for scope, group in groups.items():
        assert group and all(scope in k.scopes for k in group), scope
    # transferred_t right after the month: the 月度 sheet's chart reads the second column
    assert [c[0] for c in MONTH_COLUMNS] == ["month", *(k.key for k in reg.MONTH_FIGURES)]
    assert MONTH_COLUMNS[1][0] == "transferred_t"
    assert [c[0] for c in ENTERPRISE_TAIL] == [k.key for k in reg.ENTERPRISE_FIGURES]
    keys = [c[0] for c in FLOW_COLUMNS]
    start = keys.index("distance_km")
    assert keys[start:start + len(reg.FLOW_FIGURES)] == [k.key for k in reg.FLOW_FIGURES]


def test_labels_units_and_headers():
    net, offered, rate = reg.KPIS["net_co2e_avoided_t"], reg.KPIS["offered_t"], reg.KPIS["utilisation_rate"]
    assert net.column() == ("净减排 (t CO2e)", "Net CO2e avoided (t)")
    assert net.column("approved") == ("净减排 (t CO2e/a)", "Net CO2e avoided (t/a)")
    assert net.unit_code("realised") == "tCO2e" and net.unit_code("proposed") == "tCO2e/a"
    assert offered.column() == ("供给量 (t/a)", "Offered (t/a)") and offered.unit_code() == "t/a"
    assert offered.words() == ("吨/年", "t/a") and reg.KPIS["tonne_km"].words("approved") == ("吨·公里/年", "t·km/a")
    assert rate.column() == ("资源化利用率", "Utilisation rate") and rate.unit_code("approved") == "ratio"
    assert rate.label == "资源化利用率 utilisation rate" and rate.words() == ("", "")
    assert reg.KPIS["shipments"].unit_code("approved") == "count"
    assert reg.KPIS["cost_saving_cny"].column() == ("成本节约 (元)", "Cost saving (CNY)")
