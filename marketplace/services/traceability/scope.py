"""The park a coordinator's park-wide action covers (an alert scan, a ledger review), named by its code."""
from __future__ import annotations

from sqlalchemy.orm import Session

from ...models import Park
from ..accounts.parks import coordinated_park, get_park
from ..accounts.users import Principal


def named_park(session: Session, principal: Principal, code: str) -> Park:
    """The park ``code`` names, if ``principal`` coordinates it (admins: any).

    Unknown: ``NotFound`` (404); not one of the caller's parks: ``Forbidden`` (403). Both name the
    ``park`` argument, as the API's and the pages' forms call it.
    """
    # accounts.parks.coordinated_park names its NotFound "code" whatever field it is given: look first.
    get_park(session, code, field="park")
    return coordinated_park(session, principal, code, field="park")


__all__ = ["named_park"]
