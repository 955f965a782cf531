"""Every state and kind the models store has a label in both languages: ``state_label`` never shows the stored word."""
from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import Babel, force_locale

from marketplace.models.alerts import ALERT_KINDS, ALERT_STATUSES
from marketplace.models.governance import (
    DECLARATION_STATUSES,
    DISCLOSURE_STATUSES,
    EECM_STATUSES,
    OBLIGATION_STATUSES,
    ROSTER_STATUSES,
)
from marketplace.models.ledger import FINDING_STATUSES
from marketplace.models.listings import LISTING_KINDS, LISTING_STATUSES
from marketplace.models.matches import MATCH_STATUSES
from marketplace.models.notifications import NOTIFICATION_KINDS
from marketplace.models.transfers import SHIPMENT_STATUSES
from web.i18n import CJK, SOURCES, compile_translations, current_locale, state_label

STORED = sorted({*ALERT_KINDS, *ALERT_STATUSES, *DECLARATION_STATUSES, *DISCLOSURE_STATUSES, *EECM_STATUSES,
                 *OBLIGATION_STATUSES, *ROSTER_STATUSES, *FINDING_STATUSES, *LISTING_KINDS, *LISTING_STATUSES,
                 *MATCH_STATUSES, *NOTIFICATION_KINDS, *SHIPMENT_STATUSES})


@pytest.fixture
def app(tmp_path):
    app = Flask(__name__)
    target = compile_translations(tmp_path / "translations", SOURCES)
    app.config.update(BABEL_TRANSLATION_DIRECTORIES=str(target))
    Babel(app, locale_selector=current_locale)
    return app


@pytest.mark.parametrize("value", STORED)
def test_stored_state_has_a_chinese_and_an_english_label(app, value):
    with app.test_request_context():
        zh = state_label(value)
        with force_locale("en"):
            en = state_label(value)
    assert CJK.search(zh), f"{value!r} shows {zh!r} on Chinese pages"
    assert en != value and not CJK.search(en), f"{value!r} shows {en!r} on English pages"
