"""Demonstration accounts for the demo park (``wastematch demo``): fixed, documented, idempotent.

The passwords are public (README), so these accounts belong on a demonstration database only.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..errors import Conflict
from ..models import User
from ..services.accounts.users import create_user, normalise_email, verify_password

DEMO_PASSWORD = "wastematch-demo"


@dataclass(frozen=True)
class DemoAccount:
    """One account of the demo park: who, in which role, for which enterprise or parks."""

    email: str
    role: str
    name: str
    enterprise: str | None = None
    parks: tuple[str, ...] = ()

    @property
    def scope(self) -> str:
        """The enterprise ref or park codes the account is bound to (``—`` for an admin)."""
        return self.enterprise or ", ".join(self.parks) or "—"


# Enterprises picked so that both sides of several demo matches can sign in: the pharmaceutical
# plant E-022 sends solvents and residues to the licensed handlers E-038 and E-039 (both also
# offer), and in JC the chlor-alkali plant E-056 supplies the water-treatment chemicals maker E-060.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("admin@wastematch.example", "admin", "演示管理员 Demo admin"),
    DemoAccount("coord-ch@wastematch.example", "coordinator", "澄湖园区管理者 CH coordinator", parks=("CH",)),
    DemoAccount("coord-jc@wastematch.example", "coordinator", "江澄港园区管理者 JC coordinator", parks=("JC",)),
    DemoAccount("e022@wastematch.example", "enterprise", "苏州澄湖药业 EHS", enterprise="E-022"),
    DemoAccount("e038@wastematch.example", "enterprise", "苏州澄湖环境科技 业务部", enterprise="E-038"),
    DemoAccount("e039@wastematch.example", "enterprise", "常熟澄源溶剂再生 业务部", enterprise="E-039"),
    DemoAccount("e056@wastematch.example", "enterprise", "太仓澄港氯碱化工 EHS", enterprise="E-056"),
    DemoAccount("e060@wastematch.example", "enterprise", "太仓澄净水处理剂 采购部", enterprise="E-060"),
)


@dataclass(frozen=True)
class SeededAccount:
    """What seeding did with one demo account."""

    account: DemoAccount
    created: bool
    # False when the account already existed and its password was changed since seeding.
    password_is_demo: bool

    def as_dict(self) -> dict:
        a = self.account
        return {"email": a.email, "role": a.role, "enterprise": a.enterprise, "parks": list(a.parks),
                "password": DEMO_PASSWORD if self.password_is_demo else None, "created": self.created}


def seed_demo_accounts(session: Session, *, actor: str,
                       accounts: tuple[DemoAccount, ...] = DEMO_ACCOUNTS) -> list[SeededAccount]:
    """Create the demo accounts that do not exist yet; existing ones are left as they are.

    Re-running is harmless. Raises ``ValidationFailed`` if the demo park is not loaded
    (an enterprise ref or park code is unknown), and ``Conflict`` if the database already
    has accounts of its own: accounts with a published password do not belong there.
    """
    demo_emails = {normalise_email(a.email) for a in accounts}
    others = [e for e in session.scalars(select(User.email)) if e not in demo_emails]
    if others:
        raise Conflict(f"this database has {len(others)} account(s) of its own; demonstration accounts with a "
                       f"published password are not added (数据库已有正式账户，不添加演示账户)",
                       {"accounts": [(f"{len(others)} non-demo account(s) exist, e.g. {others[0]} "
                                      f"(已有 {len(others)} 个非演示账户，如 {others[0]})")]})
    seeded = []
    for account in accounts:
        existing = session.scalar(select(User).where(User.email == normalise_email(account.email))
                                  .options(selectinload(User.parks), selectinload(User.enterprise)))
        if existing is not None:
            seeded.append(SeededAccount(account, created=False,
                                        password_is_demo=verify_password(DEMO_PASSWORD, existing.password_hash)))
            continue
        create_user(session, email=account.email, password=DEMO_PASSWORD, role=account.role, actor=actor,
                    enterprise=account.enterprise, parks=account.parks, name=account.name)
        seeded.append(SeededAccount(account, created=True, password_is_demo=True))
    return seeded
