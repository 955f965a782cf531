"""The EECM indicator tree (TEDA's enterprise assessment model): indicators, weights, scoring rules, scoring.

The first level is the model's five core elements — material health (物质健康), material circularity
(物质循环), renewable energy and carbon (可再生能源与碳管理), water stewardship (水资源管理) and social
responsibility (社会责任) — broken into 16 second-level and 27 third-level indicators. The second and
third levels, their definitions, the evidence asked for and the scoring rules are the team's own reading
of the park plans (TEDA publishes the elements, not the indicator texts), so a park may replace them:
its override (``Park.eecm_tree``) is a whole tree in the shape :func:`tree_dict` writes, checked by
:func:`parse_tree`, which names every error by its JSON path.

A leaf is scored 0…1 by one of two rules: ``levels`` (e.g. 0 / 0.5 / 1 with the criterion of each in
both languages) or ``ratio`` (a measured share against thresholds: the score of the highest threshold
reached, else 0). A node's score is the weighted sum of its children's; the total is the root's, and
the rating bonus is the total times ``bonus_max``. Pure Python, no I/O.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

__all__ = ["DEFAULT_BONUS_MAX", "DEFAULT_TREE", "Level", "Node", "Rule", "Scored", "Tree", "TreeError",
           "effective_tree", "parse_tree", "score", "tree_dict"]

DEFAULT_BONUS_MAX = 0.05     # the most an EECM result adds to the A–D rating score (a bonus item)
WEIGHT_TOLERANCE = 1e-6
MAX_DEPTH = 4                # a park may add a level, not build an arbitrary deep tree
MAX_NODES = 400
MAX_TEXT = 2000
MAX_CODE = 20
RULE_KINDS = ("levels", "ratio")


@dataclass(frozen=True)
class Level:
    """One score a rule can give, with its criterion in both languages."""

    score: float
    zh: str
    en: str


@dataclass(frozen=True)
class Rule:
    """How a leaf is scored. ``levels``: pick the level met. ``ratio``: ``thresholds`` are ``(at_least, score)``
    ascending over the measured share described by ``measure_zh``/``measure_en``."""

    kind: str
    levels: tuple[Level, ...] = ()
    measure_zh: str = ""
    measure_en: str = ""
    thresholds: tuple[tuple[float, float], ...] = ()

    def choices(self) -> tuple[Level, ...]:
        """The scores a user may give, lowest first, each with its criterion in words."""
        if self.kind == "levels":
            return tuple(sorted(self.levels, key=lambda lv: lv.score))
        first = self.thresholds[0][0] if self.thresholds else 0.0
        out = [Level(0.0, f"{self.measure_zh} < {_pct(first)}", f"{self.measure_en} < {_pct(first)}")]
        out += [Level(s, f"{self.measure_zh} ≥ {_pct(at)}", f"{self.measure_en} ≥ {_pct(at)}")
                for at, s in self.thresholds if s > 0]
        return tuple(out)

    def score_for(self, value: float) -> float:
        """The score of a measured share under a ``ratio`` rule (0 below the first threshold)."""
        reached = [s for at, s in self.thresholds if value >= at]
        return max(reached, default=0.0)


@dataclass(frozen=True)
class Node:
    """An indicator: a first-level element, a second-level or a third-level indicator. Leaves carry a rule."""

    code: str
    name_zh: str
    name_en: str
    weight: float
    definition_zh: str = ""
    definition_en: str = ""
    evidence_zh: str = ""
    evidence_en: str = ""
    rule: Rule | None = None
    children: tuple[Node, ...] = ()


@dataclass(frozen=True)
class Tree:
    """The indicator tree: the first-level elements, and the bonus the full score is worth."""

    elements: tuple[Node, ...]
    bonus_max: float = DEFAULT_BONUS_MAX
    _index: dict[str, Node] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        def walk(nodes: tuple[Node, ...]) -> None:
            for n in nodes:
                self._index[n.code] = n
                walk(n.children)
        walk(self.elements)

    def node(self, code: str) -> Node | None:
        """The indicator with ``code`` (any level), or None."""
        return self._index.get(code)

    def leaves(self) -> list[Node]:
        """Every leaf indicator, in tree order."""
        out: list[Node] = []

        def walk(nodes: tuple[Node, ...]) -> None:
            for n in nodes:
                if n.children:
                    walk(n.children)
                else:
                    out.append(n)
        walk(self.elements)
        return out

    def levels(self) -> list[list[Node]]:
        """The nodes of each level: ``[first level, second level, …]``."""
        out: list[list[Node]] = []
        layer = list(self.elements)
        while layer:
            out.append(layer)
            layer = [c for n in layer for c in n.children]
        return out


class TreeError(ValueError):
    """An override that is not a valid tree; ``errors`` maps each JSON path to its reasons."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{p}: {', '.join(r)}" for p, r in errors.items()))
        self.errors = errors


class Scored(NamedTuple):
    """The weighted result: ``total`` (0…1), each node's own score by code, and the leaves not scored (0)."""

    total: float
    by_node: dict[str, float]
    missing: list[str]


def _pct(x: float) -> str:
    return f"{x * 100:g} %"


# --- the default tree ------------------------------------------------------------------------------------------

def _levels(*criteria: tuple[str, str], scores: tuple[float, ...] = (0.0, 0.5, 1.0)) -> Rule:
    return Rule("levels", tuple(Level(s, zh, en) for s, (zh, en) in zip(scores, criteria, strict=True)))


def _ratio(measure_zh: str, measure_en: str, *thresholds: tuple[float, float]) -> Rule:
    return Rule("ratio", measure_zh=measure_zh, measure_en=measure_en, thresholds=tuple(thresholds))


def _leaf(code: str, zh: str, en: str, weight: float, definition: tuple[str, str], evidence: tuple[str, str],
          rule: Rule) -> Node:
    return Node(code, zh, en, weight, definition[0], definition[1], evidence[0], evidence[1], rule)


def _group(code: str, zh: str, en: str, weight: float, definition: tuple[str, str], *children: Node) -> Node:
    return Node(code, zh, en, weight, definition[0], definition[1], children=children)


DEFAULT_TREE = Tree((
    _group("MH", "物质健康", "Material health", 0.25,
           ("企业识别、管控并替代有害化学物质，保障产品与作业场所的物质安全。",
            "The enterprise knows, controls and substitutes hazardous substances in its products and workplaces."),
           _group("MH1", "化学品清单管理", "Chemical inventory", 0.3,
                  ("建立并维护全部化学品的清单与台账。", "An inventory and ledger of every chemical handled."),
                  _leaf("MH1.1", "化学品台账完整性", "Completeness of the chemical ledger", 0.6,
                        ("台账覆盖采购、使用、库存、废弃的全部化学品，数量可核对。",
                         "The ledger covers every chemical bought, used, stocked and discarded, with quantities "
                         "that reconcile."),
                        ("化学品台账、年度化学物质环境信息调查表", "Chemical ledger; annual chemical survey return"),
                        _levels(("无台账或仅覆盖少数品种", "no ledger, or a few substances only"),
                                ("覆盖主要品种但数量未闭合", "main substances covered, quantities do not reconcile"),
                                ("全部品种，数量闭合并按月更新", "every substance, reconciled, updated monthly"))),
                  _leaf("MH1.2", "安全技术说明书覆盖率", "Safety data sheet coverage", 0.4,
                        ("在用化学品中具备现行版本安全技术说明书（SDS）的比例。",
                         "Share of chemicals in use with a current safety data sheet (SDS)."),
                        ("SDS 清单及抽查记录", "List of SDS held; spot-check records"),
                        _ratio("SDS 覆盖率", "SDS coverage", (0.8, 0.5), (1.0, 1.0)))),
           _group("MH2", "有害物质替代", "Substitution of hazardous substances", 0.3,
                  ("淘汰或替代重点管控新污染物与优先控制化学品。",
                   "Phase-out or substitution of key controlled new pollutants and priority chemicals."),
                  _leaf("MH2.1", "重点管控新污染物淘汰", "Phase-out of key controlled new pollutants", 0.6,
                        ("不生产、不使用、不进口清单禁止的物质；限用物质仅用于许可用途。",
                         "No production, use or import of banned substances; restricted ones only for allowed uses."),
                        ("化学物质调查申报、采购记录、替代方案", "Survey declaration, purchase records, substitution plan"),
                        _levels(("仍有禁止用途", "a banned use remains"),
                                ("仅限许可用途，且有淘汰计划", "allowed uses only, with a phase-out plan"),
                                ("不涉及清单物质或已全部淘汰", "no listed substance, or all phased out"))),
                  _leaf("MH2.2", "优先控制化学品替代计划", "Substitution plan for priority chemicals", 0.4,
                        ("对在用的优先控制化学品制定并实施替代计划。",
                         "A substitution plan for the priority chemicals in use, carried out."),
                        ("替代计划、试验或改造记录", "Substitution plan; trial or retrofit records"),
                        _levels(("无计划", "no plan"), ("已制定计划", "plan adopted"),
                                ("计划已实施或不涉及", "plan carried out, or no priority chemical in use")))),
           _group("MH3", "产品物质安全", "Product material safety", 0.2,
                  ("产品中的有害物质得到声明和控制。", "Hazardous substances in products are declared and controlled."),
                  _leaf("MH3.1", "产品有害物质声明", "Declaration of hazardous substances in products", 1.0,
                        ("向下游提供产品中有害物质含量的声明或检测报告。",
                         "Customers receive a declaration or test report of hazardous substances in products."),
                        ("产品声明、第三方检测报告", "Product declarations; third-party test reports"),
                        _levels(("无声明", "no declaration"), ("部分产品有声明", "some products declared"),
                                ("全部产品有声明", "every product declared")))),
           _group("MH4", "作业场所化学品安全", "Chemical safety at work", 0.2,
                  ("员工接触有害因素受到监测，泄漏事故有应急准备。",
                   "Workers' exposure is monitored and chemical spills are prepared for."),
                  _leaf("MH4.1", "作业场所有害因素检测", "Workplace exposure monitoring", 0.5,
                        ("按规定频次检测作业场所化学有害因素并达标。",
                         "Chemical hazards at the workplace are measured as often as required, within limits."),
                        ("职业病危害因素检测报告", "Occupational hazard monitoring reports"),
                        _levels(("未检测", "not measured"), ("已检测，部分超标", "measured, some over limits"),
                                ("按期检测且全部达标", "measured on time, all within limits"))),
                  _leaf("MH4.2", "化学品泄漏应急", "Chemical spill readiness", 0.5,
                        ("具备泄漏应急预案、物资并每年演练。", "A spill response plan and equipment, drilled yearly."),
                        ("应急预案备案、演练记录", "Registered emergency plan; drill records"),
                        _levels(("无预案", "no plan"), ("有预案未演练", "plan without drills"),
                                ("有预案、物资并年度演练", "plan, equipment and a yearly drill"))))),
    _group("MC", "物质循环", "Material circularity", 0.25,
           ("减少废物产生，提高资源化利用与园区内的物质交换。",
            "Less waste, more utilisation and more exchange of materials within the park."),
           _group("MC1", "固体废物减量", "Solid waste reduction", 0.25,
                  ("单位产值的固体废物产生量逐年下降。", "Waste generated per unit of output falls year on year."),
                  _leaf("MC1.1", "固废产生强度下降率", "Decline in waste intensity", 1.0,
                        ("单位产值固体废物产生量较上年下降的比例。",
                         "Fall in tonnes of waste per unit of output against the previous year."),
                        ("固废台账、产值统计", "Waste ledger; output statistics"),
                        _ratio("强度下降率", "decline in intensity", (0.02, 0.5), (0.05, 1.0)))),
           _group("MC2", "资源化利用", "Utilisation", 0.3,
                  ("产生的废物得到综合利用而非处置。", "Wastes generated are utilised rather than disposed of."),
                  _leaf("MC2.1", "一般工业固废综合利用率", "General industrial solid waste utilisation", 0.5,
                        ("一般工业固体废物综合利用量占产生量的比例。",
                         "Tonnes of general industrial solid waste utilised over tonnes generated."),
                        ("固废台账、利用去向凭证", "Waste ledger; receipts of the utilisers"),
                        _ratio("综合利用率", "utilisation rate", (0.6, 0.5), (0.8, 1.0))),
                  _leaf("MC2.2", "危险废物资源化利用率", "Hazardous waste utilisation", 0.5,
                        ("危险废物经利用（非焚烧、填埋）的量占产生量的比例。",
                         "Tonnes of hazardous waste utilised (not incinerated or landfilled) over tonnes generated."),
                        ("危险废物管理台账、转移联单", "Hazardous waste ledger; transfer manifests"),
                        _ratio("资源化利用率", "utilisation rate", (0.3, 0.5), (0.5, 1.0)))),
           _group("MC3", "园区产业共生", "Industrial symbiosis", 0.25,
                  ("在园区内交换副产物与废物，使用再生原料。",
                   "By-products and wastes are exchanged within the park; secondary raw materials are used."),
                  _leaf("MC3.1", "园区内副产物交换", "By-product exchange within the park", 0.6,
                        ("通过平台或协议向园区内企业供给或接收副产物、废物。",
                         "By-products or wastes supplied to or taken from park enterprises, through the "
                         "marketplace or by contract."),
                        ("平台匹配记录、转移联单、协议", "Marketplace matches; manifests; contracts"),
                        _levels(("无", "none"), ("有一条交换链", "one exchange"),
                                ("两条及以上稳定交换链", "two or more lasting exchanges"))),
                  _leaf("MC3.2", "再生原料使用比例", "Share of secondary raw materials", 0.4,
                        ("再生原料占原料投入的比例。", "Secondary raw materials as a share of material inputs."),
                        ("采购记录、物料平衡", "Purchase records; material balance"),
                        _ratio("再生原料比例", "secondary share", (0.1, 0.5), (0.2, 1.0)))),
           _group("MC4", "包装物回收", "Packaging take-back", 0.2,
                  ("产品与原料包装物得到回收复用。", "Packaging of products and raw materials is taken back and reused."),
                  _leaf("MC4.1", "包装物回收率", "Packaging recovery rate", 1.0,
                        ("回收复用或交回供应商的包装物占使用量的比例。",
                         "Packaging reused or returned to suppliers over packaging used."),
                        ("包装物台账、回收协议", "Packaging ledger; take-back agreements"),
                        _ratio("包装物回收率", "recovery rate", (0.5, 0.5), (0.8, 1.0))))),
    _group("EC", "可再生能源与碳管理", "Renewable energy and carbon", 0.2,
           ("提高可再生能源比例，核算并减少温室气体排放，提升能效。",
            "More renewable energy, greenhouse gases accounted for and reduced, energy used efficiently."),
           _group("EC1", "能源结构", "Energy mix", 0.35,
                  ("可再生能源与余能在能源消费中的比重。", "Renewables and recovered energy in the energy used."),
                  _leaf("EC1.1", "可再生能源电力占比", "Share of renewable electricity", 0.6,
                        ("自发或采购的可再生能源电力（含绿证）占用电量的比例。",
                         "Renewable electricity generated or bought (green certificates included) over electricity "
                         "used."),
                        ("电费单、绿电交易或绿证凭证、光伏发电记录",
                         "Power bills; green power contracts or certificates; solar output records"),
                        _ratio("可再生电力占比", "renewable share", (0.1, 0.5), (0.3, 1.0))),
                  _leaf("EC1.2", "余热余压利用", "Waste heat and pressure recovery", 0.4,
                        ("可回收的余热余压得到利用。", "Recoverable waste heat and pressure are used."),
                        ("节能改造项目资料、计量记录", "Energy-saving project files; metering records"),
                        _levels(("未利用", "not used"), ("部分利用", "partly used"),
                                ("全部利用或无可回收余能", "fully used, or none to recover")))),
           _group("EC2", "碳排放管理", "Carbon management", 0.35,
                  ("温室气体排放得到核算、核查并设定减排目标。",
                   "Greenhouse gas emissions are accounted for, verified and given a reduction target."),
                  _leaf("EC2.1", "温室气体盘查", "Greenhouse gas inventory", 0.5,
                        ("按国家核算指南编制年度温室气体排放报告。",
                         "A yearly greenhouse gas report under the national accounting guidelines."),
                        ("排放报告、第三方核查报告", "Emission report; third-party verification"),
                        _levels(("未盘查", "none"), ("已盘查未核查", "inventory, not verified"),
                                ("已盘查并经第三方核查", "inventory verified by a third party"))),
                  _leaf("EC2.2", "碳减排目标", "Carbon reduction target", 0.5,
                        ("设定量化减排目标并跟踪完成情况。", "A quantified reduction target, tracked."),
                        ("减排规划、年度完成情况", "Reduction plan; yearly progress"),
                        _levels(("无目标", "no target"), ("有目标未跟踪", "target not tracked"),
                                ("有目标且按期完成", "target tracked and met on schedule")))),
           _group("EC3", "能效提升", "Energy efficiency", 0.3,
                  ("单位产品能耗达标，能源管理规范。", "Energy per unit of product within standards; energy managed."),
                  _leaf("EC3.1", "单位产品能耗", "Energy per unit of product", 0.5,
                        ("单位产品综合能耗与国家或行业限额标准的比较。",
                         "Energy per unit of product against the national or sector limit."),
                        ("能源统计报表、能源审计报告", "Energy statistics; energy audit report"),
                        _levels(("超过限额", "above the limit"), ("达到限额", "within the limit"),
                                ("达到先进值", "at the advanced value"))),
                  _leaf("EC3.2", "能源管理体系", "Energy management system", 0.5,
                        ("建立能源管理体系并运行（如 GB/T 23331）。",
                         "An energy management system in operation (e.g. GB/T 23331)."),
                        ("体系文件或认证证书", "System documents or certificate"),
                        _levels(("无", "none"), ("已建立未认证", "in place, not certified"),
                                ("已通过认证", "certified"))))),
    _group("WS", "水资源管理", "Water stewardship", 0.15,
           ("节约用水、循环用水，废水达标排放并防控水环境风险。",
            "Water saved and reused, wastewater within limits, risks to water prevented."),
           _group("WS1", "节水与回用", "Water saving and reuse", 0.4,
                  ("提高用水重复利用，降低取水强度。", "More water reused, less water drawn per unit of output."),
                  _leaf("WS1.1", "工业用水重复利用率", "Industrial water reuse rate", 0.6,
                        ("重复利用水量占总用水量的比例。", "Water reused over total water used."),
                        ("水平衡测试报告、计量记录", "Water balance test; metering records"),
                        _ratio("重复利用率", "reuse rate", (0.75, 0.5), (0.9, 1.0))),
                  _leaf("WS1.2", "单位产值取水量", "Water drawn per unit of output", 0.4,
                        ("单位产值新鲜水取水量与行业定额的比较。",
                         "Fresh water drawn per unit of output against the sector quota."),
                        ("取水许可、水费单、产值统计", "Water permit; water bills; output statistics"),
                        _levels(("高于定额", "above the quota"), ("达到定额", "within the quota"),
                                ("优于定额 20% 以上", "over 20 % below the quota")))),
           _group("WS2", "废水达标排放", "Wastewater compliance", 0.4,
                  ("废水及其特征污染物稳定达标排放。", "Wastewater and its specific pollutants reliably within limits."),
                  _leaf("WS2.1", "废水排放达标率", "Wastewater compliance rate", 0.6,
                        ("在线监测或自行监测中达标的比例。", "Share of online or self-monitoring results within limits."),
                        ("自行监测报告、在线监测数据", "Self-monitoring reports; online monitoring data"),
                        _ratio("达标率", "compliance rate", (0.95, 0.5), (0.999, 1.0))),
                  _leaf("WS2.2", "特征污染物管控", "Control of specific pollutants", 0.4,
                        ("对废水中的新污染物等特征污染物开展监测与管控。",
                         "Specific pollutants in wastewater, new pollutants included, monitored and controlled."),
                        ("监测方案与报告", "Monitoring plan and reports"),
                        _levels(("未监测", "not monitored"), ("已监测", "monitored"),
                                ("已监测并采取削减措施", "monitored and reduced")))),
           _group("WS3", "水环境风险防控", "Water risk prevention", 0.2,
                  ("雨污分流，事故废水可收集。", "Rain and wastewater separated; spill water can be contained."),
                  _leaf("WS3.1", "雨污分流与事故池", "Separate drains and emergency basin", 1.0,
                        ("雨污分流，事故应急池容量满足要求。",
                         "Storm and waste water drain separately; the emergency basin is large enough."),
                        ("管网图、应急池设计与检查记录", "Drainage plan; basin design and inspection records"),
                        _levels(("未分流", "not separated"), ("已分流，事故池不足", "separated, basin too small"),
                                ("已分流且事故池满足要求", "separated, basin sufficient"))))),
    _group("SR", "社会责任", "Social responsibility", 0.15,
           ("依法披露环境信息，与公众和员工沟通。", "Environmental information disclosed; the public and staff engaged."),
           _group("SR1", "信息披露与沟通", "Disclosure and communication", 0.5,
                  ("按规定披露环境信息，回应公众关切。", "Environmental information disclosed as required; concerns answered."),
                  _leaf("SR1.1", "环境信息依法披露", "Statutory environmental disclosure", 0.6,
                        ("按《企业环境信息依法披露管理办法》按期完整披露。",
                         "Complete and timely disclosure under the enterprise environmental disclosure rules."),
                        ("年度披露报告及发布记录", "Annual disclosure report and its publication"),
                        _levels(("未披露", "not disclosed"), ("逾期或内容不全", "late or incomplete"),
                                ("按期完整披露", "complete and on time"))),
                  _leaf("SR1.2", "公众沟通与投诉处理", "Public communication and complaints", 0.4,
                        ("设有公众沟通渠道，投诉按时处理。", "A channel for the public; complaints handled on time."),
                        ("开放日记录、投诉处理台账", "Open-day records; complaint log"),
                        _levels(("无渠道", "no channel"), ("有渠道", "a channel"),
                                ("有渠道且投诉全部按时办结", "a channel, every complaint closed on time")))),
           _group("SR2", "员工与社区", "Staff and community", 0.5,
                  ("员工接受环境与化学品安全培训。", "Staff trained in environmental and chemical safety."),
                  _leaf("SR2.1", "环境培训覆盖率", "Environmental training coverage", 1.0,
                        ("年度接受环境与化学品安全培训的员工比例。",
                         "Share of staff trained in environmental and chemical safety in the year."),
                        ("培训计划、签到与考核记录", "Training plan; attendance and test records"),
                        _ratio("培训覆盖率", "training coverage", (0.5, 0.5), (0.9, 1.0))))),
))


# --- as JSON and back ------------------------------------------------------------------------------------------

def _rule_dict(rule: Rule) -> dict[str, Any]:
    if rule.kind == "levels":
        return {"kind": "levels", "levels": [{"score": lv.score, "zh": lv.zh, "en": lv.en} for lv in rule.levels]}
    return {"kind": "ratio", "measure_zh": rule.measure_zh, "measure_en": rule.measure_en,
            "thresholds": [{"at_least": at, "score": s} for at, s in rule.thresholds]}


def _node_dict(node: Node) -> dict[str, Any]:
    doc: dict[str, Any] = {"code": node.code, "name_zh": node.name_zh, "name_en": node.name_en,
                           "weight": node.weight, "definition_zh": node.definition_zh,
                           "definition_en": node.definition_en}
    if node.children:
        doc["children"] = [_node_dict(c) for c in node.children]
    else:
        doc.update(evidence_zh=node.evidence_zh, evidence_en=node.evidence_en, rule=_rule_dict(node.rule))
    return doc


def tree_dict(tree: Tree) -> dict[str, Any]:
    """The tree as JSON: the shape a park's override takes (edit this and store it)."""
    return {"bonus_max": tree.bonus_max, "elements": [_node_dict(n) for n in tree.elements]}


class _Parser:
    """Reads an override, collecting every error by JSON path instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}
        self.codes: dict[str, str] = {}
        self.count = 0

    def err(self, path: str, reason: str) -> None:
        self.errors.setdefault(path, []).append(reason)

    def number(self, doc: dict[str, Any], key: str, path: str, lo: float, hi: float) -> float | None:
        value = doc.get(key)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.err(f"{path}.{key}", "required: a number (必填，须为数字)")
            return None
        if not lo <= value <= hi:
            self.err(f"{path}.{key}", f"must be between {lo:g} and {hi:g} (须在 {lo:g} 与 {hi:g} 之间)")
            return None
        return float(value)

    def text(self, doc: dict[str, Any], key: str, path: str, *, required: bool) -> str:
        value = doc.get(key, None if required else "")
        if not isinstance(value, str) or (required and not value.strip()):
            self.err(f"{path}.{key}", "required: a text (必填文字)" if required else "must be a text (须为文字)")
            return ""
        if len(value) > MAX_TEXT or "\x00" in value:
            self.err(f"{path}.{key}", f"at most {MAX_TEXT} characters, no NUL (最多 {MAX_TEXT} 个字符，不得含空字符)")
            return ""
        return value.strip()

    def rule(self, doc: Any, path: str) -> Rule | None:
        if not isinstance(doc, dict):
            self.err(path, "a leaf indicator needs a scoring rule (an object) (末级指标须有评分规则对象)")
            return None
        kind = doc.get("kind")
        if kind not in RULE_KINDS:
            self.err(f"{path}.kind", f"must be one of {', '.join(RULE_KINDS)} (须为以下之一：{'、'.join(RULE_KINDS)})")
            return None
        if kind == "levels":
            items = doc.get("levels")
            if not isinstance(items, list) or len(items) < 2:
                self.err(f"{path}.levels", "at least two levels (至少两个等级)")
                return None
            levels = []
            for i, item in enumerate(items):
                p = f"{path}.levels[{i}]"
                if not isinstance(item, dict):
                    self.err(p, "must be an object (须为对象)")
                    continue
                s = self.number(item, "score", p, 0, 1)
                zh, en = self.text(item, "zh", p, required=True), self.text(item, "en", p, required=True)
                if s is not None:
                    levels.append(Level(s, zh, en))
            scores = [lv.score for lv in levels]
            if len(set(scores)) != len(scores):
                self.err(f"{path}.levels", "two levels have the same score (两个等级的分值相同)")
            return Rule("levels", tuple(levels))
        measure_zh = self.text(doc, "measure_zh", path, required=True)
        measure_en = self.text(doc, "measure_en", path, required=True)
        items = doc.get("thresholds")
        if not isinstance(items, list) or not items:
            self.err(f"{path}.thresholds", "at least one threshold (至少一个阈值)")
            return None
        thresholds = []
        for i, item in enumerate(items):
            p = f"{path}.thresholds[{i}]"
            if not isinstance(item, dict):
                self.err(p, "must be an object (须为对象)")
                continue
            at, s = self.number(item, "at_least", p, 0, 1e6), self.number(item, "score", p, 0, 1)
            if at is not None and s is not None:
                thresholds.append((at, s))
        if any(b[0] <= a[0] or b[1] <= a[1] for a, b in zip(thresholds, thresholds[1:])):
            self.err(f"{path}.thresholds", "thresholds and their scores must rise (阈值及其分值须递增)")
        return Rule("ratio", measure_zh=measure_zh, measure_en=measure_en, thresholds=tuple(thresholds))

    def nodes(self, items: Any, path: str, depth: int) -> tuple[Node, ...]:
        if not isinstance(items, list) or not items:
            self.err(path, "at least one indicator (至少一个指标)")
            return ()
        if depth > MAX_DEPTH:
            self.err(path, f"at most {MAX_DEPTH} levels (最多 {MAX_DEPTH} 层)")
            return ()
        out, weights = [], []
        for i, doc in enumerate(items):
            p = f"{path}[{i}]"
            self.count += 1
            if not isinstance(doc, dict):
                self.err(p, "must be an object (须为对象)")
                continue
            code = doc.get("code")
            if not isinstance(code, str) or not code.strip() or len(code) > MAX_CODE or "\x00" in code:
                self.err(f"{p}.code", f"required: a text of at most {MAX_CODE} characters (必填，最多 {MAX_CODE} 个字符)")
                code = ""
            elif code in self.codes:
                self.err(f"{p}.code", f"{code!r} is already used at {self.codes[code]} (指标代码重复：{self.codes[code]} 已使用)")
            else:
                self.codes[code] = p
            weight = self.number(doc, "weight", p, 0, 1)
            weights.append(weight)
            texts = {k: self.text(doc, k, p, required=k.startswith("name"))
                     for k in ("name_zh", "name_en", "definition_zh", "definition_en", "evidence_zh", "evidence_en")}
            if "children" in doc:
                children = self.nodes(doc["children"], f"{p}.children", depth + 1)
                if "rule" in doc:
                    self.err(f"{p}.rule", "only a leaf indicator (no children) has a scoring rule (仅末级指标有评分规则)")
                rule = None
            else:
                children, rule = (), self.rule(doc.get("rule"), f"{p}.rule")
            out.append(Node(code, texts["name_zh"], texts["name_en"], weight or 0.0, texts["definition_zh"],
                            texts["definition_en"], texts["evidence_zh"], texts["evidence_en"], rule, children))
        if all(w is not None for w in weights) and abs(sum(weights) - 1) > WEIGHT_TOLERANCE:
            self.err(path, f"the weights sum to {sum(weights):g}, not 1 (同级权重之和为 {sum(weights):g}，应为 1)")
        return tuple(out)


def parse_tree(doc: Any) -> Tree:
    """The tree a park's override describes; ``TreeError`` naming every error by JSON path.

    Codes are unique over the whole tree, each level's weights under one parent sum to 1 (± 1e-6),
    every leaf has a scoring rule, ``bonus_max`` (default 0.05) lies in 0…1.
    """
    p = _Parser()
    if not isinstance(doc, dict):
        raise TreeError({"$": ["must be an object with 'elements' (须为含 elements 的对象)"]})
    unknown = sorted(set(doc) - {"bonus_max", "elements"})
    if unknown:
        p.err("$", f"unknown keys: {', '.join(unknown)} (未知字段：{'、'.join(unknown)})")
    bonus = p.number(doc, "bonus_max", "$", 0, 1) if "bonus_max" in doc else DEFAULT_BONUS_MAX
    elements = p.nodes(doc.get("elements"), "$.elements", 1)
    if p.count > MAX_NODES:
        p.err("$.elements", f"at most {MAX_NODES} indicators (最多 {MAX_NODES} 个指标)")
    if p.errors:
        raise TreeError(p.errors)
    return Tree(elements, bonus if bonus is not None else DEFAULT_BONUS_MAX)


def effective_tree(override: dict[str, Any] | None) -> Tree:
    """The park's tree: its override when it has one, else the default (``TreeError`` if the override is bad)."""
    return DEFAULT_TREE if not override else parse_tree(override)


def score(tree: Tree, leaf_scores: dict[str, float]) -> Scored:
    """Weight the leaves' scores (0…1) up the tree. Leaves without a score count 0 and are listed in ``missing``;
    codes that are not leaves of ``tree`` are ignored."""
    by_node: dict[str, float] = {}
    missing: list[str] = []

    def value(node: Node) -> float:
        if node.children:
            v = sum(c.weight * value(c) for c in node.children)
        elif node.code in leaf_scores and leaf_scores[node.code] is not None:
            v = min(1.0, max(0.0, float(leaf_scores[node.code])))
        else:
            missing.append(node.code)
            v = 0.0
        by_node[node.code] = round(v, 6)
        return v

    total = sum(n.weight * value(n) for n in tree.elements)
    return Scored(round(total, 6), by_node, missing)
