"""Enterprise ratings for differentiated management (分级分类管理): A 优先 / B 鼓励 / C 监管 / D 整改.

Four measurable indicators, each scored 0…1 from the enterprise's KPI block:

- **utilisation** (资源化利用): approved tonnes ÷ offered tonnes (annual rates) of the offers that had a
  fair chance (on the market ``fair_chance_days`` by the period's last day), full marks at the policy's
  ``utilisation_target``; applies to enterprises with such offers, and counts only when it raises the
  score (the fairness rule below);
- **compliance** (合规): 1 − the penalties of the active alerts held against it and its open ledger
  findings (warning and critical alerts, error and warning findings);
- **manifest timeliness** (联单及时性): the share of its manifest steps done in time (receipt within
  3 days of dispatch for the producer, closing within 7 days of receipt for the receiver);
  applies when it owed any step in the period;
- **ledger completeness** (台账完整性): the share of its ledger entries of the period without an open
  finding; applies when it kept entries.

Fairness rule (taking part never lowers a grade, docs/ratings.md): whether an offer finds a partner
depends on the market, not on the enterprise, so utilisation is a bonus indicator. The score is the
weighted mean of the other applicable indicators, or the weighted mean with utilisation when that is
higher; a fresh offer (fewer than ``fair_chance_days`` on the market) is not in its denominator. So an
enterprise that lists is never graded below what it would get had it listed nothing, and posting an
offer or a need leaves every grade of the period where it was (needs are in no indicator).

The score is the weighted mean of the counted indicators; the grade comes from the policy's
thresholds, then caps apply: an active critical alert caps the grade at C, a controlled substance
without a permit or receipts beyond a licence's capacity at D; from the chemical governance, an active
``banned_use`` alert (a role its substance's measure prohibits) at D and an active ``obligation_overdue``
alert (a roster obligation open past its due date) at C (``banned_use_cap``, ``overdue_obligation_cap``).
The EECM assessment scored for the enterprise and the report's year (the period's last day) adds its
``bonus`` to the score, at most ``eecm_bonus_max`` (default 0.05: a bonus item lifts a grade at the margin,
never past a cap), with a reason line. An enterprise with no offers, no
flows, no shipments and no ledger entries in the period is not rated, nor is one none of whose
applicable indicators has a weight. Reports rate only their park's own enterprises. Every grade
carries its reasons, Chinese and English.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from catalog.measures import OBLIGATION_NAMES

from ...errors import ValidationFailed

if TYPE_CHECKING:  # parks stores policies, and kpis reaches parks: a runtime import would be circular
    from .kpis import EnterpriseFacts

GRADES = ("A", "B", "C", "D")
GRADE_ZH = {"A": "优先", "B": "鼓励", "C": "监管", "D": "整改", None: "未评级"}
GRADE_EN = {"A": "priority", "B": "encourage", "C": "supervise", "D": "rectify", None: "not rated"}
# Alerts of the chemical governance: an enterprise holding one is rated even without flows.
GOVERNANCE_ALERTS = ("banned_use", "obligation_overdue")
INDICATORS = ("utilisation", "compliance", "manifest_timeliness", "ledger_completeness")
INDICATOR_ZH = {"utilisation": "资源化利用率", "compliance": "合规", "manifest_timeliness": "联单及时率",
                "ledger_completeness": "台账完整率"}
INDICATOR_EN = {"utilisation": "utilisation", "compliance": "compliance", "manifest_timeliness": "manifest timeliness",
                "ledger_completeness": "ledger completeness"}


@dataclass(frozen=True)
class RatingPolicy:
    """The configurable thresholds of the ratings (defaults below)."""

    weights: dict[str, float] = field(default_factory=lambda: {
        "utilisation": 0.25, "compliance": 0.40, "manifest_timeliness": 0.20, "ledger_completeness": 0.15})
    grade_a: float = 0.85  # score at or above: A
    grade_b: float = 0.70
    grade_c: float = 0.50  # below: D
    utilisation_target: float = 0.60  # approved ÷ offered at or above this scores full marks
    warning_alert_penalty: float = 0.15
    critical_alert_penalty: float = 0.35
    error_finding_penalty: float = 0.15
    warning_finding_penalty: float = 0.05
    critical_alert_cap: str = "C"
    # Findings and alerts that cap the grade at D whatever the score (illegal holdings or intake).
    rectify_findings: tuple[str, ...] = ("controlled_without_permit",)
    rectify_alerts: tuple[str, ...] = ("receipts_over_licence",)
    # Chemical governance: a prohibited role caps at D, an overdue roster obligation at C.
    banned_use_cap: str = "D"
    overdue_obligation_cap: str = "C"
    eecm_bonus_max: float = 0.05  # the most an EECM assessment adds to the 0…1 score
    # An offer counts in utilisation once it has been on the market this many days (its fair chance).
    fair_chance_days: int = 90

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["rectify_findings"], d["rectify_alerts"] = list(self.rectify_findings), list(self.rectify_alerts)
        return d


_NUMBERS = {"grade_a": (0.0, 1.0), "grade_b": (0.0, 1.0), "grade_c": (0.0, 1.0), "utilisation_target": (0.01, 1.0),
            "warning_alert_penalty": (0.0, 1.0), "critical_alert_penalty": (0.0, 1.0),
            "error_finding_penalty": (0.0, 1.0), "warning_finding_penalty": (0.0, 1.0), "eecm_bonus_max": (0.0, 0.2),
            "fair_chance_days": (0, 3650)}


def _number(value: Any) -> bool:
    return not isinstance(value, bool) and isinstance(value, (int, float)) and value == value


def policy_from(values: Mapping[str, Any] | None, *, field_prefix: str = "rating_policy") -> RatingPolicy:
    """A ``RatingPolicy`` from optional overrides of the defaults; a bad value is a 422 naming its field."""
    values = dict(values or {})
    defaults = RatingPolicy()
    errors: dict[str, list[str]] = {}

    def bad(name: str, reason: str) -> None:
        errors.setdefault(f"{field_prefix}.{name}", []).append(reason)

    known = set(defaults.as_dict())
    for name in sorted(set(values) - known):
        bad(name, f"unknown setting; known: {', '.join(sorted(known))} "
                  f"(无此参数；可用参数：{'、'.join(sorted(known))})")
    for name, (low, high) in _NUMBERS.items():
        if name in values and not (_number(values[name]) and low <= values[name] <= high):
            bad(name, f"must be a number in [{low:g}, {high:g}] (须为 {low:g} 至 {high:g} 之间的数)")
    if "weights" in values:
        w = values["weights"]
        if not isinstance(w, Mapping):
            bad("weights", "must be an object of indicator → weight (须为“指标 → 权重”的对象)")
        else:
            for k, v in w.items():
                if k not in INDICATORS:
                    bad(f"weights.{k}", f"unknown indicator; known: {', '.join(INDICATORS)} "
                                       f"(无此指标；可用指标：{'、'.join(INDICATORS)})")
                elif not (_number(v) and 0 <= v <= 100):
                    bad(f"weights.{k}", "must be a number in [0, 100] (须为 0 至 100 之间的数)")
            if not errors and sum({**defaults.weights, **w}.values()) <= 0:
                bad("weights", "at least one weight must be above 0 (至少一项权重须大于 0)")
    for name in ("critical_alert_cap", "banned_use_cap", "overdue_obligation_cap"):
        if name in values and values[name] not in GRADES:
            bad(name, f"must be one of {', '.join(GRADES)} (须为以下之一：{'、'.join(GRADES)})")
    for name in ("rectify_findings", "rectify_alerts"):
        if name in values and not (isinstance(values[name], (list, tuple))
                                   and all(isinstance(x, str) and 0 < len(x) <= 40 for x in values[name])):
            bad(name, "must be a list of codes (须为代码列表)")
    if errors:
        raise ValidationFailed("the rating policy is not valid (评级参数有误)", errors)
    merged = {**defaults.as_dict(), **values}
    merged["weights"] = {**defaults.weights, **dict(values.get("weights") or {})}
    merged["rectify_findings"] = tuple(merged["rectify_findings"])
    merged["rectify_alerts"] = tuple(merged["rectify_alerts"])
    policy = RatingPolicy(**merged)
    if not policy.grade_a >= policy.grade_b >= policy.grade_c:
        raise ValidationFailed("the rating policy is not valid (评级参数有误)",
                               {f"{field_prefix}.grade_b": [("thresholds must satisfy grade_a ≥ grade_b ≥ grade_c "
                                                             "(评级阈值须满足 grade_a ≥ grade_b ≥ grade_c)")]})
    return policy


def merge_overrides(base: Mapping[str, Any] | None, extra: Mapping[str, Any] | None) -> dict[str, Any]:
    """``extra`` over ``base`` (a park's stored overrides under a request's), weights merged key by key."""
    base, extra = dict(base or {}), dict(extra or {})
    merged = {**base, **extra}
    if isinstance(base.get("weights"), Mapping) and isinstance(extra.get("weights"), Mapping):
        merged["weights"] = {**base["weights"], **extra["weights"]}
    return merged


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _grade_of(score: float, policy: RatingPolicy) -> str:
    if score >= policy.grade_a:
        return "A"
    if score >= policy.grade_b:
        return "B"
    if score >= policy.grade_c:
        return "C"
    return "D"


def _fair_utilisation(kpi: Mapping[str, Any], facts: EnterpriseFacts,
                      policy: RatingPolicy) -> tuple[float | None, int]:
    """(utilisation over the offers that had their fair chance, or None; how many offers are too fresh).

    Facts without offer ages (a hand-made KPI block) count every offer: the KPI's own utilisation rate.
    Approved tonnes of a fresh offer still count in the numerator (a quick match is no fault); the rate
    is capped at 1.
    """
    ages = getattr(facts, "offers_on_market", None)
    if ages is None:
        return kpi["utilisation_rate"], 0
    seasoned = sum(t for t, days in ages if days >= policy.fair_chance_days)
    fresh = sum(1 for _t, days in ages if days < policy.fair_chance_days)
    if seasoned <= 0:
        return None, fresh
    return min(1.0, float(kpi.get("in_force_t") or 0.0) / seasoned), fresh


def rate(kpi: Mapping[str, Any], facts: EnterpriseFacts, policy: RatingPolicy) -> dict[str, Any]:
    """The rating of one enterprise from its KPI block (``kpis.enterprise_kpis``) and held alerts and findings."""
    governed = facts.eecm_bonus is not None or any(a.kind in GOVERNANCE_ALERTS for a in facts.alerts)
    active = (kpi["offers"] or kpi["shipments"] or kpi["ledger_entries"] or governed
              or any(kpi["sent"][b]["flows"] for b in kpi["sent"]) or any(kpi["received_t"].values()))
    base = {"ref": kpi["ref"], "name": kpi["name"], "park": kpi["park"]}
    if not active:
        return {**base, "grade": None, "grade_zh": GRADE_ZH[None], "grade_en": GRADE_EN[None], "score": None,
                "indicators": {}, "caps": [],
                "reasons_zh": ["本期无供给、转移或台账记录"], "reasons_en": ["no offers, transfers or ledger entries in the period"]}
    critical = [a for a in facts.alerts if a.severity == "critical"]
    warning = [a for a in facts.alerts if a.severity != "critical"]
    errors = [f for f in facts.findings if f.severity == "error"]
    warnings = [f for f in facts.findings if f.severity != "error"]
    penalty = (len(warning) * policy.warning_alert_penalty + len(critical) * policy.critical_alert_penalty
               + len(errors) * policy.error_finding_penalty + len(warnings) * policy.warning_finding_penalty)
    util, fresh = _fair_utilisation(kpi, facts, policy)
    values = {
        "utilisation": (util, min(1.0, util / policy.utilisation_target) if util is not None else None),
        "compliance": (max(0.0, 1.0 - penalty), max(0.0, 1.0 - penalty)),
        "manifest_timeliness": (kpi["on_time_share"], kpi["on_time_share"]),
        "ledger_completeness": (kpi["ledger_complete_share"], kpi["ledger_complete_share"]),
    }
    indicators, weighted, weights = {}, 0.0, 0.0
    for name in INDICATORS:
        value, score = values[name]
        w = float(policy.weights.get(name, 0.0))
        applicable = score is not None and w > 0
        indicators[name] = {"value": value, "score": score, "weight": w, "applicable": applicable,
                            "counted": applicable, "label_zh": INDICATOR_ZH[name], "label_en": INDICATOR_EN[name]}
        if applicable and name != "utilisation":
            weighted += w * score
            weights += w
    # The fairness rule: utilisation counts only when it raises the mean of the others (or is all there is).
    util_ind = indicators["utilisation"]
    if util_ind["applicable"]:
        w, u = util_ind["weight"], util_ind["score"]
        if not weights or (weighted + w * u) / (weights + w) > weighted / weights:
            weighted, weights = weighted + w * u, weights + w
        else:
            util_ind["counted"] = False
    if not weights:
        return {**base, "grade": None, "grade_zh": GRADE_ZH[None], "grade_en": GRADE_EN[None], "score": None,
                "indicators": indicators, "caps": [],
                "reasons_zh": ["本期没有权重大于零的适用指标"],
                "reasons_en": ["no indicator with a weight above 0 applies in the period"]}
    # Graded on the score it shows: 0.8499999… would otherwise be a B beside "score 0.85 (A ≥ 0.85)".
    bonus = min(max(float(facts.eecm_bonus or 0.0), 0.0), policy.eecm_bonus_max)
    score = round(min(1.0, weighted / weights + bonus), 4)
    grade = _grade_of(score, policy)
    reasons_zh = [f"综合得分 {score:.2f}（A ≥ {policy.grade_a:g}，B ≥ {policy.grade_b:g}，C ≥ {policy.grade_c:g}）"]
    reasons_en = [f"score {score:.2f} (A ≥ {policy.grade_a:g}, B ≥ {policy.grade_b:g}, C ≥ {policy.grade_c:g})"]
    if facts.eecm_bonus is not None:
        reasons_zh.append(f"EECM评估加分 +{bonus:.3f}（{facts.eecm_year}年，上限 {policy.eecm_bonus_max:g}）")
        reasons_en.append(f"EECM assessment bonus +{bonus:.3f} ({facts.eecm_year}, at most {policy.eecm_bonus_max:g})")
    for name, ind in indicators.items():
        if not ind["applicable"]:
            continue
        shown = _pct(ind["value"])
        extra_zh = extra_en = ""
        if name == "utilisation":
            extra_zh, extra_en = f"，目标 {_pct(policy.utilisation_target)}", f", target {_pct(policy.utilisation_target)}"
            if not ind["counted"]:
                extra_zh += "，未计入：仅在提高得分时计入（参与不降级）"
                extra_en += "; not counted: it counts only when it raises the score (taking part never lowers a grade)"
        elif name == "compliance":
            shown = f"{ind['score']:.2f}"
            extra_zh = f"：预警 {len(warning)} 条、严重预警 {len(critical)} 条、台账问题 {len(errors) + len(warnings)} 条"
            extra_en = (f": {len(warning)} warning and {len(critical)} critical alert(s), "
                        f"{len(errors) + len(warnings)} open ledger finding(s)")
        reasons_zh.append(f"{INDICATOR_ZH[name]} {shown}{extra_zh}")
        reasons_en.append(f"{INDICATOR_EN[name]} {shown}{extra_en}")
    if fresh:
        reasons_zh.append(f"{fresh} 条供给挂牌未满 {policy.fair_chance_days} 天，暂不计入资源化利用率")
        reasons_en.append(f"{fresh} offer(s) on the market fewer than {policy.fair_chance_days} days: "
                          "not yet in utilisation")
    # reasons name codes by their words (a runtime import here: parks → ratings → traceability → parks)
    from .reason_labels import reason_labels

    caps = []
    if critical and GRADES.index(policy.critical_alert_cap) > GRADES.index(grade):
        (kinds_zh, kinds_en), cap = reason_labels(sorted({a.kind for a in critical})), policy.critical_alert_cap
        caps.append({"code": "critical_alert", "grade": cap,
                     "text_zh": f"存在 {len(critical)} 条严重预警（{kinds_zh}），最高评为 {cap}",
                     "text_en": f"{len(critical)} active critical alert(s) ({kinds_en}): at most {cap}"})
    rectify = sorted({f.code for f in facts.findings if f.code in policy.rectify_findings}
                     | {a.kind for a in facts.alerts if a.kind in policy.rectify_alerts})
    if rectify:
        caps.append({"code": "rectify", "grade": "D",
                     "text_zh": f"须整改：{reason_labels(rectify)[0]}", "text_en": f"must be rectified: {reason_labels(rectify)[1]}"})
    banned = [a for a in facts.alerts if a.kind == "banned_use"]
    if banned:
        cas = sorted({str((a.details or {}).get("cas") or (a.details or {}).get("substance") or "") for a in banned})
        caps.append({"code": "banned_use", "grade": policy.banned_use_cap,
                     "text_zh": f"违规使用禁用物质（{'、'.join(cas)}），最高评为 {policy.banned_use_cap}",
                     "text_en": f"a prohibited use of a controlled substance ({', '.join(cas)}): "
                                f"at most {policy.banned_use_cap}"})
    overdue = [a for a in facts.alerts if a.kind == "obligation_overdue"]
    if overdue:
        codes = sorted({str((a.details or {}).get("obligation") or "") for a in overdue})
        # Named in words, as the roster names them (the stored code is an internal key).
        names = [OBLIGATION_NAMES.get(code, (code, code)) for code in codes]
        caps.append({"code": "obligation_overdue", "grade": policy.overdue_obligation_cap,
                     "text_zh": f"管控义务逾期未完成（{'、'.join(zh for zh, _ in names)}），"
                                f"最高评为 {policy.overdue_obligation_cap}",
                     "text_en": f"roster obligation(s) overdue ({', '.join(en for _, en in names)}): "
                                f"at most {policy.overdue_obligation_cap}"})
    for cap in caps:
        if GRADES.index(cap["grade"]) > GRADES.index(grade):
            grade = cap["grade"]
        reasons_zh.append(cap["text_zh"])
        reasons_en.append(cap["text_en"])
    return {**base, "grade": grade, "grade_zh": GRADE_ZH[grade], "grade_en": GRADE_EN[grade], "score": score,
            "indicators": indicators, "caps": caps, "reasons_zh": reasons_zh, "reasons_en": reasons_en}


__all__ = ["GRADES", "GRADE_EN", "GRADE_ZH", "INDICATORS", "RatingPolicy", "merge_overrides", "policy_from", "rate"]
