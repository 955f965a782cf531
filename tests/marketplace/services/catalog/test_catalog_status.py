"""``catalog_status``: how much of the official HW list is loaded, as ``init``, ``catalog status`` and the pages say it."""
from __future__ import annotations

from catalog.builtin_codes import BUILTIN_HW_CODES, OFFICIAL_HW_CODES_2021
from catalog.hw_categories import HW_CATEGORIES
from catalog.waste_codes import Exemption, HwListEdition
from marketplace.services.catalog.reference import IMPORT_HW_LIST_COMMAND, catalog_status, import_hw_list


def test_the_built_in_catalogue_is_partial_and_says_how_to_import_the_rest(session):
    status = catalog_status(session)
    assert (status.codes, status.official_codes, status.exemptions) == (len(BUILTIN_HW_CODES), 0, 0)
    assert not status.complete and status.as_dict()["import_command"] == IMPORT_HW_LIST_COMMAND
    zh, en = status.lines()
    assert f"{len(BUILTIN_HW_CODES)} / {OFFICIAL_HW_CODES_2021}" in zh and IMPORT_HW_LIST_COMMAND in zh
    assert f"only {len(BUILTIN_HW_CODES)} of the {OFFICIAL_HW_CODES_2021} HW codes" in en
    assert "exemption list is missing" in en and IMPORT_HW_LIST_COMMAND in en


def test_an_imported_edition_with_its_exemption_list_is_complete(session):
    exemption = Exemption(number=32, waste="点对点定向利用的危险废物", codes=(), categories=(), stage="利用",
                          conditions="经设区的市级生态环境部门同意", exempted="不按危险废物管理")
    edition = HwListEdition(edition="2021", codes=list(BUILTIN_HW_CODES[:10]), exemptions=[exemption],
                            categories=list(HW_CATEGORIES))
    import_hw_list(session, edition, actor="test", source="test")
    status = catalog_status(session)
    assert (status.codes, status.official_codes, status.exemptions) == (10, 10, 1)
    assert status.complete and status.lines() == [] and status.as_dict()["import_command"] is None
