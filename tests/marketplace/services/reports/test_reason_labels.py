"""Rating reasons cite finding codes and alert kinds by their words in both languages, never the stored code."""
from __future__ import annotations

from marketplace.services.reports.reason_labels import reason_label, reason_labels


def test_finding_codes_and_alert_kinds_have_words_in_both_languages():
    assert reason_label("controlled_without_permit") == ("管控物质无许可", "controlled without permit")
    zh, en = reason_label("receipts_over_licence")
    assert "_" not in zh and zh != "receipts_over_licence" and en == "receipts over licence"


def test_several_codes_join_per_language_and_unknown_codes_stand_as_themselves():
    zh, en = reason_labels(["controlled_without_permit", "something_new"])
    assert zh == "管控物质无许可、something_new" and en == "controlled without permit, something_new"
