"""Push notifications (being written): new listings notify the enterprises whose listings they fit best."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ..models import Listing, Match


def notify_new_listing(session: Session, listing: Listing) -> int:
    """Notify the enterprises whose active listings ``listing`` fits best; returns how many were notified."""
    return 0


def notify_match_event(session: Session, match: Match, event: str, *, actor: str) -> int:
    """Tell the parties (and coordinators) of ``match`` that ``event`` happened; returns how many notices."""
    return 0
