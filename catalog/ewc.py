"""EU List of Waste (European Waste Catalogue, EWC): six-digit codes such as ``13 02 05``.

Loaded from a JSON file (the project keeps the published file outside the
repository, in ``../shared/data/ewc/``): a list of objects with ``code`` (six digits),
``isHazardous`` (bool), ``entryTypeDesc`` (``"Absolute hazardous"``, ``"Absolute
non-hazardous"``, ``"Mirror hazardous"``, ``"Mirror non-hazardous"``), ``chapter``,
``subChapter`` and ``description`` (titles in English). The loader validates every
entry and refuses the file on the first bad ones, naming their index and field.
*Absolute* entries are hazardous or not whatever the composition; *mirror* entries
come in pairs and the waste's composition decides which of the pair applies. Pure
Python; the only I/O is reading the file given.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from .waste_codes import fold_code_text

__all__ = ["EwcCode", "format_ewc", "load_ewc", "normalize_ewc", "parse_ewc", "typed_ewc"]

_CODE_RE = re.compile(r"^\d{6}$")
# A code as the list prints it or people type it: pairs of digits apart by one kind of separator (or none), the
# hazardous entries' asterisk after it.
_TYPED_RE = re.compile(r"^(\d{2})([ .-]?)(\d{2})\2(\d{2}) ?\*?$")
# entryTypeDesc → (entry_type, hazardous)
_ENTRY_TYPES = {
    "Absolute hazardous": ("absolute", True),
    "Absolute non-hazardous": ("absolute", False),
    "Mirror hazardous": ("mirror", True),
    "Mirror non-hazardous": ("mirror", False),
}
_MAX_REPORTED = 5  # errors listed in one ValueError; enough to fix a file, short enough to read


@dataclass(frozen=True, slots=True)
class EwcCode:
    """One entry of the EU List of Waste."""

    code: str  # "130205"
    chapter: str  # chapter title
    sub_chapter: str  # sub-chapter title
    description: str
    hazardous: bool
    entry_type: str  # "absolute" | "mirror"
    entry_type_desc: str  # as in the file, e.g. "Mirror hazardous"

    @property
    def chapter_code(self) -> str:
        """Two-digit chapter, ``"13"``."""
        return self.code[:2]

    @property
    def sub_chapter_code(self) -> str:
        """Four-digit sub-chapter, ``"1302"``."""
        return self.code[:4]

    @property
    def display(self) -> str:
        """``"13 02 05*"``: spaced, with the asterisk the list uses for hazardous entries."""
        return format_ewc(self.code) + ("*" if self.hazardous else "")


def normalize_ewc(code: str) -> str:
    """``"13 02 05*"``, ``"13-02-05"``, ``"130205"`` → ``"130205"`` (no validation beyond stripping)."""
    return re.sub(r"[\s\-.*]", "", str(code or ""))


def typed_ewc(text: str) -> str:
    """A code as typed or copied from the list in its six digits: ``13 02 05*``, ``13-02-05``, ``13.02.05`` and
    full-width ``１３ ０２ ０５`` → ``130205``; anything else trimmed, for the caller's check to refuse
    (``1-30-205`` or ``13 0205`` are no way of writing a code)."""
    clean = fold_code_text(text)
    m = _TYPED_RE.match(clean)
    return m[1] + m[3] + m[4] if m else clean


def format_ewc(code: str | EwcCode) -> str:
    """Spaced display form: ``"130205"`` → ``"13 02 05"``. ValueError if not six digits."""
    text = normalize_ewc(code.code if isinstance(code, EwcCode) else code)
    if not _CODE_RE.match(text):
        raise ValueError(f"not a six-digit EWC code: {code!r}")
    return f"{text[0:2]} {text[2:4]} {text[4:6]}"


def _check_entry(index: int, item: object) -> tuple[EwcCode | None, list[str]]:
    errors: list[str] = []
    if not isinstance(item, dict):
        return None, [f"[{index}]: expected an object, got {type(item).__name__}"]
    code = item.get("code")
    if not isinstance(code, str) or not _CODE_RE.match(code):
        errors.append(f"[{index}].code: expected six digits, got {code!r}")
    for field in ("chapter", "subChapter", "description"):
        value = item.get(field)
        if not isinstance(value, str) or not value.strip():
            errors.append(f"[{index}].{field}: expected a non-empty string, got {value!r}")
    hazardous = item.get("isHazardous")
    if not isinstance(hazardous, bool):
        errors.append(f"[{index}].isHazardous: expected true or false, got {hazardous!r}")
    desc = item.get("entryTypeDesc")
    if desc not in _ENTRY_TYPES:
        errors.append(f"[{index}].entryTypeDesc: expected one of {sorted(_ENTRY_TYPES)}, got {desc!r}")
    elif isinstance(hazardous, bool) and _ENTRY_TYPES[desc][1] != hazardous:
        errors.append(f"[{index}].isHazardous: {hazardous} contradicts entryTypeDesc {desc!r}")
    if errors:
        return None, errors
    entry_type, _ = _ENTRY_TYPES[desc]
    return (
        EwcCode(
            code=code,
            chapter=item["chapter"].strip(),
            sub_chapter=item["subChapter"].strip(),
            description=item["description"].strip(),
            hazardous=hazardous,
            entry_type=entry_type,
            entry_type_desc=desc,
        ),
        [],
    )


def parse_ewc(data: object) -> list[EwcCode]:
    """Validate already-decoded JSON ``data`` and return its entries in file order.

    Raises ValueError listing the first bad entries as ``[index].field: problem``
    (also duplicates). Counts are not checked here: that is the tests' job.
    """
    if not isinstance(data, list):
        raise ValueError(f"EWC file: expected a JSON array of entries, got {type(data).__name__}")
    codes: list[EwcCode] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    truncated = False
    for index, item in enumerate(data):
        entry, problems = _check_entry(index, item)
        errors.extend(problems)
        if entry is not None:
            if entry.code in seen:
                errors.append(f"[{index}].code: duplicate of entry [{seen[entry.code]}] ({entry.code})")
            else:
                seen[entry.code] = index
                codes.append(entry)
        if len(errors) >= _MAX_REPORTED:
            truncated = index < len(data) - 1 or len(errors) > _MAX_REPORTED
            break
    if errors:
        shown = errors[:_MAX_REPORTED]
        raise ValueError("invalid EWC file: " + "; ".join(shown) + ("; …" if truncated else ""))
    if not codes:
        raise ValueError("invalid EWC file: no entries")
    return codes


def load_ewc(path: str | Path) -> list[EwcCode]:
    """Read and validate an EWC JSON file (see module docstring); ValueError on bad content."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: not UTF-8 text ({exc})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc})") from exc
    return parse_ewc(data)
