"""What every rendering of the report shares: the bases in the report's order, number formatting (units from
``kpi_registry``), the park's label, a chain's path, a CSV cell."""
from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from typing import Any

from catalog.waste_streams import STREAM_KEYS, STREAMS_BY_KEY

from ....models.base import CHINA_TZ
from ...traceability.manifests import csv_cell, defuse_formula
from ..flows import UNITS as FLOW_UNITS
from ..kpi_registry import ANNUAL_BASES, UNITS

BASES = ("realised", "approved", "proposed")          # the order the report shows them in
BASIS_ZH = {"realised": "实际转移", "approved": "已批准", "proposed": "拟议"}
BASIS_EN = {"realised": "realised", "approved": "approved", "proposed": "proposed"}
BASIS_UNIT = FLOW_UNITS                                 # t/a, t/a, t
LEVEL_ZH = {"enterprise": "企业", "industry": "行业", "park": "园区"}


def stream_items(doc: dict) -> list[tuple[str, dict]]:
    """``kpis.streams`` of the document in the streams' order (the contract's five first, then any other a newer
    document carries); empty for a document made before streams were reported."""
    streams = (doc.get("kpis") or {}).get("streams") or {}
    order = [*(k for k in STREAM_KEYS if k in streams), *sorted(k for k in streams if k not in STREAM_KEYS)]
    return [(k, streams[k] or {}) for k in order]


def stream_names(stream: str) -> tuple[str, str]:
    """A stream's Chinese and English names (``catalog.waste_streams``); an unknown key as itself."""
    s = STREAMS_BY_KEY.get(stream)
    return (s.name_zh, s.name_en) if s else (stream, stream)


def num(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def fmt_t(value: Any) -> str:
    """Tonnes (or any quantity) for reading: thousands separated, fewer decimals as the value grows."""
    v = num(value)
    if v is None:
        return "—"
    if v == 0:
        return "0"
    a = abs(v)
    return f"{v:,.0f}" if a >= 10000 else f"{v:,.1f}" if a >= 10 else f"{v:,.2f}" if a >= 0.1 else f"{v:.3g}"


def fmt_pct(value: Any) -> str:
    v = num(value)
    return "—" if v is None else f"{v * 100:,.1f}%"


def fmt_int(value: Any) -> str:
    v = num(value)
    return "—" if v is None else f"{v:,.0f}"


def fmt_value(value: Any) -> str:
    """An indicator or factor value of unknown kind."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是 yes" if value else "否 no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(fmt_value(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {fmt_value(v)}" for k, v in value.items())
    return str(value)


def fmt_exact(value: Any) -> str:
    """A factor as given: every digit kept (``0.0712``, ``1,550``), other values as :func:`fmt_value`."""
    if isinstance(value, float) and math.isfinite(value):
        text = format(value, ",")
        return text[:-2] if text.endswith(".0") else text
    return fmt_value(value)


def fmt_metric(value: Any, kind: str, basis: str | None) -> str:
    """A figure of a unit kind (``kpi_registry.UNITS``) for reading, with its unit: ``1,234.5 t/a``, ``78.0%``."""
    if kind == "share":
        return fmt_pct(value)
    if kind == "count":
        return fmt_int(value)
    text = fmt_int(value) if kind == "CNY" else fmt_t(value)
    if text == "—":
        return text
    unit = UNITS[kind].reading
    return f"{text} {unit}/a" if basis in ANNUAL_BASES else f"{text} {unit}"


def local_time(iso: str | None) -> str:
    """An ISO 8601 time as Beijing time, ``2026-12-02 13:00 (UTC+8)``; unparseable text as given."""
    if not iso:
        return "—"
    try:
        t = dt.datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        return str(iso)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M") + " (UTC+8)"


def joined(values: Any, sep: str = "、") -> str:
    if not values:
        return ""
    if isinstance(values, str):
        return values
    return sep.join(str(v) for v in values if v not in (None, ""))


def park_label(doc: dict) -> tuple[str, str, str]:
    park = doc.get("park")
    if not park:
        return "ALL", "全部园区", "all parks"
    return park.get("code") or "", park.get("name") or park.get("code") or "", park.get("name_en") or ""


def chain_path(chain: dict, lang: str = "zh") -> str:
    """``A → B → C``; a loop comes back to its first node."""
    labels = [(n.get("label_zh") if lang == "zh" else n.get("label_en")) or n.get("key") or ""
              for n in chain.get("nodes") or []]
    if chain.get("closed") and labels:
        labels.append(labels[0])
    return " → ".join(str(x) for x in labels)


def table_of(records: Iterable[Any]) -> dict[str, Any]:
    """A list of dicts (or of plain values) as columns + rows, for data whose shape the contract leaves open."""
    records = list(records)
    columns: list[str] = []
    for r in records:
        for k in (r.keys() if isinstance(r, dict) else ["value"]):
            if k not in columns:
                columns.append(k)
    rows = [[fmt_exact(r.get(k)) if isinstance(r, dict) else fmt_exact(r) for k in columns] for r in records]
    return {"columns": columns, "rows": rows}


def counts_of(mapping: Any) -> list[tuple[str, Any]]:
    return sorted(((str(k), v) for k, v in (mapping or {}).items()), key=lambda kv: (-(num(kv[1]) or 0), kv[0]))


def csv_value(value: Any) -> str:
    """A CSV cell: floats in their shortest exact form (``repr``: every digit of a tonnage survives),
    booleans as true/false, lists joined with ``; ``, text defused against formula injection."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return ""
        text = repr(value)
        return text[:-2] if text.endswith(".0") and "e" not in text else text
    if isinstance(value, (list, tuple, set)):
        return str(defuse_formula("; ".join(str(v) for v in value)))
    if isinstance(value, dict):
        return str(defuse_formula(json.dumps(value, ensure_ascii=False, sort_keys=True)))
    return csv_cell(value)
