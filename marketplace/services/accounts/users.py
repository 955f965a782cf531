"""Accounts: users, password hashing, bearer tokens, and the ``Principal`` a request acts as.

Passwords are hashed with scrypt (standard library) and a per-user salt; tokens are
random 32-byte strings of which only the SHA-256 is stored, so a database leak
reveals neither. Tokens expire (default 12 hours) and can be revoked. A password that is
set must pass the policy of ``passwords``; a password change ends the user's tokens and
browser sessions. Signing in with throttling, lockout and audit is ``sign_in``.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ...errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from ...models import ROLES, ApiToken, Enterprise, Park, User
from ...models.base import MAX_ID, as_utc, utcnow
from . import audit
from .passwords import MIN_PASSWORD_LENGTH, password_problems  # noqa: F401 (MIN_PASSWORD_LENGTH: the API schema reads it here)

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
TOKEN_TTL = dt.timedelta(hours=12)
MAX_TOKEN_TTL = dt.timedelta(days=30)
# The audit trail keys users by email (100 characters) and names actors "role:email" (200).
MAX_EMAIL_LENGTH = 100
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# The salt and digest checked against when the email is unknown (no password hashes to zeros).
_DUMMY_SALT, _DUMMY_DIGEST = base64.b64encode(bytes(16)).decode(), base64.b64encode(bytes(32)).decode()


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64 parts)."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    b64 = lambda b: base64.b64encode(b).decode("ascii")
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt)}${b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` hashes to ``stored`` (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def dummy_password_check(password: str) -> None:
    """The scrypt work of checking a password against a stored hash, for an unknown email.

    Same parameters as a hash made now, so a wrong email costs as long as a wrong password.
    """
    verify_password(password or "", f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_DUMMY_SALT}${_DUMMY_DIGEST}")


@dataclass(frozen=True)
class Principal:
    """Who a request or command acts as, with the scope their role gives them."""

    user_id: int | None
    email: str
    role: str  # enterprise | coordinator | admin
    enterprise_id: int | None = None
    enterprise_ref: str | None = None
    park_ids: frozenset[int] = frozenset()
    token_id: int | None = None

    @property
    def actor(self) -> str:
        """The name the audit trail records."""
        return f"{self.role}:{self.email}"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_coordinator(self) -> bool:
        return self.role == "coordinator"

    def coordinates(self, park_id: int | None) -> bool:
        """An admin, or a coordinator of ``park_id``."""
        return self.is_admin or (self.is_coordinator and park_id is not None and park_id in self.park_ids)

    def acts_for(self, enterprise_id: int | None) -> bool:
        """An enterprise user of exactly this enterprise."""
        return self.role == "enterprise" and enterprise_id is not None and enterprise_id == self.enterprise_id


def principal_of(user: User, token_id: int | None = None) -> Principal:
    """The principal of a loaded user."""
    return Principal(user_id=user.id, email=user.email, role=user.role, enterprise_id=user.enterprise_id,
                     enterprise_ref=user.enterprise.ref if user.enterprise else None,
                     park_ids=frozenset(p.id for p in user.parks), token_id=token_id)


def system_principal(name: str = "system") -> Principal:
    """An admin principal for the CLI and background jobs (the audit trail names ``name``)."""
    return Principal(user_id=None, email=name, role="admin")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(session: Session, *, email: str, password: str, role: str, actor: str,
                enterprise: str | None = None, parks: tuple[str, ...] | list[str] = (), name: str = "",
                locale: str = "zh") -> User:
    """Add a user. Enterprise users need exactly one enterprise; coordinators at least one park."""
    errors: dict[str, list[str]] = {}
    email = normalise_email(email or "")
    if len(email) > MAX_EMAIL_LENGTH:
        errors["email"] = [f"at most {MAX_EMAIL_LENGTH} characters (邮箱过长)"]
    elif not EMAIL_RE.match(email):
        errors["email"] = [f"{email!r} is not an email address ({email!r} 不是有效的邮箱地址)"]
    if problems := password_problems(password, email=email, name=name):
        errors["password"] = problems
    if role not in ROLES:
        errors["role"] = [(f"must be one of: {', '.join(ROLES)}; got {role!r} "
                            f"(须为以下之一：{'、'.join(ROLES)}；收到 {role!r})")]
    if locale not in ("zh", "en"):
        errors["locale"] = [f"must be zh or en; got {locale!r} (须为 zh 或 en；收到 {locale!r})"]
    ent = None
    if role == "enterprise":
        if not enterprise:
            errors["enterprise"] = ["an enterprise user needs the ref of their enterprise (企业用户须填写所属企业编号)"]
        else:
            ent = session.scalar(select(Enterprise).where(Enterprise.ref == enterprise))
            if ent is None:
                errors["enterprise"] = [f"unknown enterprise ref {enterprise!r} (企业编号 {enterprise!r} 不存在)"]
    elif enterprise:
        errors["enterprise"] = [(f"only enterprise users belong to an enterprise, not a {role} "
                                   f"(仅企业用户隶属于企业，{role} 角色不能指定企业)")]
    park_rows: list[Park] = []
    if role == "coordinator":
        if not parks:
            errors["parks"] = ["a coordinator needs at least one park code (园区管理者须至少指定一个园区代码)"]
        park_rows = list(session.scalars(select(Park).where(Park.code.in_(list(parks)))))
        unknown = sorted(set(parks) - {p.code for p in park_rows})
        if unknown:
            errors["parks"] = [f"unknown park code {c!r} (园区代码 {c!r} 不存在)" for c in unknown]
    elif parks:
        errors["parks"] = [(f"only coordinators are bound to parks, not a {role} "
                              f"(仅园区管理者绑定园区，{role} 角色不能指定园区)")]
    if errors:
        raise ValidationFailed("the user cannot be created (无法创建用户)", errors)
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict(f"a user with email {email!r} already exists (邮箱 {email!r} 已注册)",
                       {"email": ["already registered (该邮箱已注册)"]})
    user = User(email=email, name=name, password_hash=hash_password(password), role=role,
                enterprise_id=ent.id if ent else None, locale=locale, active=True)
    user.parks = park_rows
    session.add(user)
    session.flush()
    audit.record(session, actor=actor, action="create", entity_type="user", entity_key=email,
                 changes={"role": [None, role], "enterprise": [None, enterprise],
                          "parks": [None, sorted(p.code for p in park_rows)]})
    return user


def set_password(session: Session, user: User, password: str, *, actor: str) -> None:
    """Replace a user's password (the policy applies) and end their tokens and browser sessions for good."""
    if problems := password_problems(password, email=user.email, name=user.name):
        raise ValidationFailed("the password is refused (密码不符合要求)", {"password": problems})
    user.password_hash = hash_password(password)
    user.failed_sign_ins, user.locked_until = 0, None  # a new password (an admin's reset) unlocks
    now = utcnow()
    for tok in user.tokens:
        if tok.revoked_at is None:
            tok.revoked_at = now
    for browser in user.sessions:
        if browser.revoked_at is None:
            browser.revoked_at = now
    audit.record(session, actor=actor, action="set-password", entity_type="user", entity_key=user.email)


def users_query(*, role: str | None = None):
    """``SELECT`` of the accounts (optionally of one role) in creation order, parks and enterprise loaded."""
    if role is not None and role not in ROLES:
        raise ValidationFailed(f"unknown role {role!r} (角色 {role!r} 不存在)",
                               {"role": [f"must be one of: {', '.join(ROLES)} (须为以下之一：{'、'.join(ROLES)})"]})
    stmt = select(User).options(selectinload(User.parks), selectinload(User.enterprise)).order_by(User.id)
    return stmt.where(User.role == role) if role else stmt


def user_by_id(session: Session, principal: Principal, user_id: int) -> User:
    """One account by id (admins); ``NotFound`` for an unknown id."""
    if not principal.is_admin:
        raise Forbidden("only administrators see accounts (仅管理员可查看账户)",
                        {"role": ["requires admin (须为管理员)"]})
    user = session.get(User, user_id) if 0 < user_id <= MAX_ID else None
    if user is None:
        raise NotFound(f"no user {user_id} (用户 {user_id} 不存在)", {"user_id": ["unknown user (用户不存在)"]})
    return user


def get_user(session: Session, email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)).options(
        selectinload(User.parks), selectinload(User.enterprise)))
    if user is None:
        raise NotFound(f"no user {email!r} (用户 {email!r} 不存在)", {"email": ["unknown user (用户不存在)"]})
    return user


def authenticate(session: Session, email: str, password: str) -> User:
    """The active user with this email and password, or ``Unauthorized`` (never saying which was wrong).

    Without throttling, lockout or audit: for the CLI and checks; people sign in through ``sign_in``.
    """
    user = session.scalar(select(User).where(User.email == normalise_email(email or "")).options(
        selectinload(User.parks), selectinload(User.enterprise)))
    if user is None:
        dummy_password_check(password)
        raise Unauthorized("wrong email or password (邮箱或密码错误)")
    if not verify_password(password or "", user.password_hash) or not user.active:
        raise Unauthorized("wrong email or password (邮箱或密码错误)")
    user.last_login_at = utcnow()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User, *, ttl: dt.timedelta = TOKEN_TTL, label: str = "") -> tuple[str, ApiToken]:
    """A new bearer token for ``user``: the plaintext (shown once) and its row."""
    if ttl <= dt.timedelta(0) or ttl > MAX_TOKEN_TTL:
        raise ValidationFailed("invalid token lifetime (令牌有效期无效)",
                               {"expires_in": [(f"must be between 1 second and {MAX_TOKEN_TTL.days} days "
                                                 f"(须在 1 秒至 {MAX_TOKEN_TTL.days} 天之间)")]})
    plaintext = secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=_digest(plaintext), label=label[:100], expires_at=utcnow() + ttl)
    session.add(row)
    session.flush()
    return plaintext, row


def resolve_token(session: Session, plaintext: str) -> Principal:
    """The principal a bearer token stands for, or ``Unauthorized`` if unknown, expired or revoked."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(plaintext or "")).options(
        selectinload(ApiToken.user).selectinload(User.parks), selectinload(ApiToken.user).selectinload(User.enterprise)))
    if row is None:
        raise Unauthorized("invalid bearer token (令牌无效)")
    if row.revoked_at is not None:
        raise Unauthorized("the bearer token was revoked (令牌已撤销)")
    if as_utc(row.expires_at) <= utcnow():
        raise Unauthorized("the bearer token has expired (令牌已过期)")
    return _active_principal(row.user, token_id=row.id)


def _active_principal(user: User, token_id: int | None = None) -> Principal:
    """The principal of a loaded user, or ``Unauthorized`` if the account is disabled (tokens and sessions alike)."""
    if not user.active:
        raise Unauthorized("the account is disabled (账户已停用)")
    return principal_of(user, token_id=token_id)


def resolve_session_user(session: Session, user_id: int) -> Principal:
    """The principal of a browser session's signed-in user id, built as ``resolve_token`` builds it."""
    user = session.scalar(select(User).where(User.id == user_id).options(
        selectinload(User.parks), selectinload(User.enterprise))) if isinstance(user_id, int) else None
    if user is None:
        raise Unauthorized("the signed-in account no longer exists (账户不存在)")
    return _active_principal(user)


def revoke_token(session: Session, principal: Principal, token_id: int | None = None) -> ApiToken:
    """Revoke one of the principal's tokens (the current one by default); admins may revoke any."""
    token_id = token_id if token_id is not None else principal.token_id
    row = session.get(ApiToken, token_id) if token_id is not None else None
    if row is None or (row.user_id != principal.user_id and not principal.is_admin):
        raise NotFound(f"no token {token_id} (令牌 {token_id} 不存在)", {"token": ["unknown token (令牌不存在)"]})
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


def user_dict(user: User) -> dict:
    """A user as the API shows it (never the password hash)."""
    return {"id": user.id, "email": user.email, "name": user.name, "role": user.role,
            "enterprise": user.enterprise.ref if user.enterprise else None,
            "parks": [p.code for p in user.parks], "locale": user.locale, "active": user.active}


def list_users(session: Session, principal: Principal, *, role: str | None = None) -> list[User]:
    """The accounts (optionally of one role) in creation order, for an admin; ``Forbidden`` for anyone else."""
    if not principal.is_admin:
        raise Forbidden("only administrators see accounts (仅管理员可查看账户)",
                        {"role": ["requires admin (须为管理员)"]})
    return list(session.scalars(users_query(role=role)))
