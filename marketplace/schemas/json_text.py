"""JSON typed or uploaded by users, read without harm (pure: the web app's request bodies and the import files).

Python's ``json`` turns some texts into exceptions that are not ``ValueError`` or into values that fail
later: nesting deep enough to exhaust the recursion limit (``RecursionError``), an integer of thousands of
digits (slow to convert, then refused by Python's own limit), a lone surrogate such as ``"\\ud800"`` (no
database can store it), ``NaN`` and ``Infinity`` (not JSON). :func:`read_json` refuses each with a reason
in both languages (:class:`JsonTextError`, a ``ValueError``).
"""
from __future__ import annotations

import json
import re
from typing import Any

# No field takes an integer longer than this; refusing longer ones keeps int() cheap (its cost grows
# with the square of the digits) and floats finite.
MAX_INTEGER_DIGITS = 30
# Deeper than any body the API takes (a listing's component rows are 3 levels down); checked after
# parsing, the recursion limit catches what is far deeper while parsing.
MAX_DEPTH = 32
# A JSON text can only hold a surrogate code point through a \uD800–\uDFFF escape (UTF-8 cannot encode
# one); only when such an escape occurs do the strings need looking at.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}|\\u[dD][c-fC-F][0-9a-fA-F]{2}")


class JsonTextError(ValueError):
    """Why a JSON text cannot be used (bilingual), raised by :func:`read_json`."""


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise JsonTextError(f"a number has more than {MAX_INTEGER_DIGITS} digits (数字位数过多)")
    return int(text)


def _refuse_constant(name: str) -> Any:
    raise JsonTextError(f"{name} is not a JSON number (JSON 不允许 {name})")


def _check_strings(value: Any) -> None:
    """Refuse lone surrogates anywhere, keys and values (call after :func:`_too_deep`: it recurses)."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise JsonTextError("a string holds a lone surrogate \\uD800–\\uDFFF (字符串含有无效的代理字符)") from None
    elif isinstance(value, dict):
        for key, inner in value.items():
            _check_strings(key)
            _check_strings(inner)
    elif isinstance(value, list):
        for inner in value:
            _check_strings(inner)


def _too_deep(value: Any) -> bool:
    """Whether ``value`` nests more than ``MAX_DEPTH`` levels (level by level, looking only at containers)."""
    level = [value] if isinstance(value, (dict, list)) else []
    for _ in range(MAX_DEPTH):
        level = [v for c in level for v in (c.values() if isinstance(c, dict) else c) if isinstance(v, (dict, list))]
        if not level:
            return False
    return True


def read_json(data: bytes | str, *, object_only: bool = False) -> Any:
    """The JSON value in ``data``, or :class:`JsonTextError` saying why it cannot be used.

    Strict UTF-8; no NaN/Infinity; integers of at most ``MAX_INTEGER_DIGITS`` digits; nesting of at
    most ``MAX_DEPTH`` levels; no lone surrogates; with ``object_only`` the top level must be an object.
    """
    try:
        # A byte order mark is dropped: editors on Windows write one (json.loads of bytes also allows it).
        text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise JsonTextError(f"not valid UTF-8 at byte {exc.start} (不是有效的 UTF-8 编码)") from None
    try:
        value = json.loads(text, parse_int=_parse_int, parse_constant=_refuse_constant)
    except JsonTextError:
        raise
    except RecursionError:
        raise JsonTextError(f"nested more than {MAX_DEPTH} levels deep (嵌套层数过多)") from None
    except json.JSONDecodeError as exc:  # where, in both languages: a file is fixed in an editor
        raise JsonTextError(f"not valid JSON: {exc.msg[:200]}: line {exc.lineno} column {exc.colno} "
                            f"(不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列)") from None
    except ValueError as exc:  # int()'s own digit limit
        raise JsonTextError(f"not valid JSON: {str(exc)[:200]} (不是有效的 JSON)") from None
    if object_only and not isinstance(value, dict):
        raise JsonTextError(f"must be a JSON object, not {type(value).__name__} (须为 JSON 对象)")
    if _too_deep(value):
        raise JsonTextError(f"nested more than {MAX_DEPTH} levels deep (嵌套层数过多)")
    if _SURROGATE_ESCAPE.search(text):
        _check_strings(value)
    return value
