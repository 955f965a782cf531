"""The password policy: long enough, not a common password, not the account's own email or name.

Applied wherever a password is set (user creation by the API and the CLI, a password change),
never at sign-in: accounts made before the policy (the demo's) still sign in. The common passwords
are the 30,000 of the ``zxcvbn`` package's ``passwords`` frequency list (Dropbox's strength estimator,
maintained on PyPI; the list is read from the installed package, nothing is downloaded).
"""
from __future__ import annotations

import functools
import re

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1000


@functools.cache
def common_passwords() -> frozenset[str]:
    """The common passwords, lower-case (loaded once, on first use)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(p.lower() for p in FREQUENCY_LISTS["passwords"])


def _folded(text: str) -> str:
    """Lower-case without spaces, dots, dashes, underscores or @: 'Pass Word' and 'pass-word' compare equal."""
    return re.sub(r"[\s._\-@]+", "", text.lower())


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """The reasons ``password`` is refused for this account (empty when it is acceptable), bilingual."""
    password = password or ""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"must be at least {MIN_PASSWORD_LENGTH} characters (密码至少 {MIN_PASSWORD_LENGTH} 个字符)")
    elif len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"at most {MAX_PASSWORD_LENGTH} characters (密码过长)")
    folded = _folded(password)
    if password.lower() in common_passwords() or folded in common_passwords() or \
            folded.rstrip("0123456789!") in common_passwords():
        problems.append("is one of the most common passwords: choose another (这是最常见的密码之一，请另选)")
    own = {_folded(v) for v in (email, email.split("@")[0], name) if v and len(_folded(v)) >= 3}
    if folded in own or folded.rstrip("0123456789!") in own:
        problems.append("must not be your email or name (密码不能是邮箱或姓名)")
    return problems
