"""Industrial symbiosis chains and closed loops (产业共生链, 无废城市 recycling loops) in a park's flows.

A *flow* is material moving from one enterprise (the producer) to another (the receiver): a
waste transfer or a product delivery. ``flow_graph`` aggregates flows into a directed graph at
one of three levels (enterprise, industry, park); ``search_chains`` and ``search_loops`` then
find the most important open chains (A → B → C …) and closed loops (A → B → … → A) in it.

Definitions (self-loop edges are always ignored by the searches):

* a **chain** is a directed simple path of ``min_nodes``..``max_nodes`` distinct nodes that is
  *maximal*: it cannot be extended at either end by a node not already on it without exceeding
  ``max_nodes``. So no reported chain is a contiguous sub-path of another candidate chain. A
  path that is a reported loop traversed in order (its last node flows back to its first) is
  shown as that loop, not as a chain; a loop too weak to be reported stays visible as chains;
* a **loop** is a directed cycle of 2..``max_length`` distinct nodes, reported once, rotated so
  that its smallest node key comes first;
* both are ranked by importance: bottleneck ``tonnes`` (the smallest link: what the whole chain
  sustains) descending, then more nodes, then ``total_tonnes`` descending, then node keys.

Maximality is strict on purpose: a strong chain A → B → C fed by a light edge D → A is reported
as D → A → B → C with D → A's bottleneck. On a dense graph almost every path can be extended, so
the chains found are mostly ``max_nodes`` long.

Work is bounded, because path and cycle enumeration explodes on dense graphs:

* chains: depth-first search from every node, successors in descending tonnes order, with a
  branch-and-bound on the bottleneck (a partial path whose bottleneck is already below the
  ``limit``-th best complete chain cannot win, nor can any extension of it) and a ``budget`` of
  node expansions;
* loops: the same depth-first search from each node s of a strongly connected component,
  through nodes later than s in a fixed order only (so each cycle is found once, from its first
  node), stepping only onto nodes from which s is reachable within the remaining length (a
  backward breadth-first search from s), heaviest successors first, with the same
  branch-and-bound and ``budget``. Starts are ordered by an upper bound on the bottleneck of
  any cycle through them (their heaviest way in and way out), so the search stops once that
  bound falls below the ``limit``-th best loop. A floor on edge tonnes, widened geometrically
  (the 4·limit heaviest edges, then 16·limit, …) until ``limit`` loops clear it, makes the
  bound bite from the start. ``nx.simple_cycles(length_bound=...)`` gives the same cycles but
  took 19 s on a random 3,000-node, 8,000-edge graph; it remains the reference in the tests.

``search_chains``/``search_loops`` return a ``ChainSearch`` that says whether the search was
exhaustive (the result is then exactly the top ``limit``); otherwise it is the best found
within the budget. ``find_chains``/``find_loops`` return just the chains.

Typical use (a park report)::

    graph = flow_graph(links, parties, level="industry")
    loops = search_loops(graph)  # ChainSearch: .chains, .exhaustive
    chains = search_chains(graph, loops=loops.chains)  # the loops shown stay out of the chains
    rows = [c.as_dict(graph) for c in chains.chains]  # JSON-able, nodes with their labels

Both searches recurse once per node of a path, so keep ``max_nodes``/``max_length`` small
(they are meant to be about 6).

No Flask, no SQLAlchemy, no I/O.
"""
from __future__ import annotations

import bisect
import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

LEVELS = ("enterprise", "industry", "park")
UNKNOWN_INDUSTRY = "?"
NO_PARK = "-"


@dataclass(frozen=True, slots=True)
class Party:
    """An enterprise as the chain engine sees it."""

    ref: str  # e.g. "E-017"
    name: str  # Chinese name
    industry: str | None = None  # GB/T 4754 class code, e.g. "3841"
    industry_name: str | None = None  # English name, e.g. "Lithium-ion battery manufacturing"
    park: str | None = None  # park code, e.g. "CH"; None = outside any park


@dataclass(frozen=True, slots=True)
class FlowLink:
    """One flow of material from a producer to a receiver."""

    source: str  # producer ref
    target: str  # receiver ref
    tonnes: float
    material: str  # label, Chinese first
    waste_code: str | None = None
    kind: str = "waste"  # "waste" | "product"
    hazardous: bool = False


@dataclass(frozen=True, slots=True)
class ChainLink:
    """One edge of a chain or loop: all flows between two consecutive nodes."""

    source: str
    target: str
    tonnes: float
    materials: tuple[str, ...]
    waste_codes: tuple[str, ...]
    kinds: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "tonnes": self.tonnes,
                "materials": list(self.materials), "waste_codes": list(self.waste_codes),
                "kinds": list(self.kinds)}


@dataclass(frozen=True, slots=True)
class Chain:
    """An open chain (``closed=False``) or a closed loop (``closed=True``) of material flows."""

    level: str
    nodes: tuple[str, ...]  # in flow order; a loop starts at its smallest key
    links: tuple[ChainLink, ...]  # len(nodes) - 1 for a chain, len(nodes) for a loop
    closed: bool
    tonnes: float  # bottleneck: the smallest link's tonnes
    total_tonnes: float  # sum over links
    materials: tuple[str, ...]  # distinct, in order of appearance
    waste_codes: tuple[str, ...]  # distinct, in order of appearance

    def as_dict(self, graph: nx.DiGraph | None = None) -> dict[str, Any]:
        """Plain JSON-able data; with ``graph``, nodes are ``{"key", "label_zh", "label_en"}``."""
        if graph is None:
            nodes: list[Any] = list(self.nodes)
        else:
            nodes = []
            for key in self.nodes:
                attrs = graph.nodes[key] if key in graph else {}
                nodes.append({"key": key, "label_zh": attrs.get("label_zh", str(key)),
                              "label_en": attrs.get("label_en", str(key))})
        return {"level": self.level, "closed": self.closed, "nodes": nodes,
                "links": [link.as_dict() for link in self.links], "tonnes": self.tonnes,
                "total_tonnes": self.total_tonnes, "materials": list(self.materials),
                "waste_codes": list(self.waste_codes)}


@dataclass(frozen=True, slots=True)
class ChainSearch:
    """The result of a bounded search: the chains (most important first) and how it ended."""

    chains: tuple[Chain, ...]
    exhaustive: bool  # True: exactly the top ``limit``; False: budget ran out, best found so far
    work: int  # node expansions (chains) or cycles examined (loops)
    budget: int

    def as_dict(self, graph: nx.DiGraph | None = None) -> dict[str, Any]:
        return {"chains": [c.as_dict(graph) for c in self.chains], "exhaustive": self.exhaustive,
                "work": self.work, "budget": self.budget}


def importance_key(chain: Chain) -> tuple[Any, ...]:
    """The sort key of the importance order (smallest first = most important)."""
    return (-chain.tonnes, -len(chain.nodes), -chain.total_tonnes, chain.nodes)


# --- the graph -----------------------------------------------------------------------------


def _node_of(party: Party, level: str) -> str:
    # An enterprise of unknown industry (or outside any park) is a node of its own, ``?:E-047``
    # (``-:E-047``): merging them all into one ``?`` node would join unrelated enterprises and
    # report industry (park) loops that do not exist, e.g. E-047 → E-060 → E-027 as ``?`` ⇄ ``2666``.
    if level == "enterprise":
        return party.ref
    if level == "industry":
        return party.industry or f"{UNKNOWN_INDUSTRY}:{party.ref}"
    return party.park or f"{NO_PARK}:{party.ref}"


def _labels(key: str, level: str, members: list[Party]) -> tuple[str, str]:
    if level == "enterprise":
        return members[0].name, key
    if level == "industry":
        if key.startswith(f"{UNKNOWN_INDUSTRY}:"):
            ref = key.removeprefix(f"{UNKNOWN_INDUSTRY}:")
            return f"行业未知 {ref}", f"Unknown industry {ref}"
        name = next((p.industry_name for p in members if p.industry_name), None)
        label = f"{key} {name}" if name else key
        return label, label
    if key.startswith(f"{NO_PARK}:"):
        ref = key.removeprefix(f"{NO_PARK}:")
        return f"园区外 {ref}", f"Outside any park {ref}"
    return key, key


def flow_graph(links: Iterable[FlowLink], parties: Mapping[str, Party],
               level: str = "enterprise") -> nx.DiGraph:
    """The flows aggregated into a directed graph at ``level`` (see ``LEVELS``).

    Nodes are enterprise refs, industry codes (``"?:<ref>"``, one node per enterprise, when
    unknown) or park codes (``"-:<ref>"``, likewise, outside any park), with ``label_zh``,
    ``label_en`` and ``members`` (the sorted refs of the enterprises taking part in a flow);
    only nodes with at least one flow are present. An edge aggregates every link between its
    two nodes: ``tonnes``, ``flows``, ``materials``, ``waste_codes``, ``kinds`` and
    ``hazardous_t``. Links whose ends fall in one industry or one park become self-loop edges
    (intra-industry / intra-park exchange). Links with zero or negative tonnes are ignored; a
    ref missing from ``parties`` raises ``ValueError``.
    ``graph.graph["level"]`` records the level.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; expected one of {LEVELS}")
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    members: dict[str, dict[str, Party]] = {}
    for link in links:
        for ref in (link.source, link.target):
            if ref not in parties:
                raise ValueError(f"unknown party ref {ref!r} in flow {link.source} → {link.target}")
        tonnes = float(link.tonnes)
        if not tonnes > 0:  # zero, negative or NaN: no material moved
            continue
        if not math.isfinite(tonnes):
            raise ValueError(f"flow {link.source} → {link.target} has infinite tonnes")
        src, tgt = parties[link.source], parties[link.target]
        u, v = _node_of(src, level), _node_of(tgt, level)
        members.setdefault(u, {})[src.ref] = src
        members.setdefault(v, {})[tgt.ref] = tgt
        acc = edges.get((u, v))
        if acc is None:
            acc = edges[(u, v)] = {"tonnes": 0.0, "flows": 0, "materials": set(),
                                   "waste_codes": set(), "kinds": set(), "hazardous_t": 0.0}
        acc["tonnes"] += tonnes
        acc["flows"] += 1
        acc["materials"].add(link.material)
        if link.waste_code is not None:
            acc["waste_codes"].add(link.waste_code)
        acc["kinds"].add(link.kind)
        if link.hazardous:
            acc["hazardous_t"] += tonnes

    graph = nx.DiGraph(level=level)
    for key in sorted(members):
        parts = [members[key][ref] for ref in sorted(members[key])]
        label_zh, label_en = _labels(key, level, parts)
        attrs: dict[str, Any] = {"label_zh": label_zh, "label_en": label_en,
                                 "members": tuple(p.ref for p in parts)}
        if level == "enterprise":
            attrs["industry"], attrs["park"] = parts[0].industry, parts[0].park
        graph.add_node(key, **attrs)
    graph.add_edges_from(
        (u, v, {"tonnes": acc["tonnes"], "flows": acc["flows"],
                "materials": tuple(sorted(acc["materials"])),
                "waste_codes": tuple(sorted(acc["waste_codes"])),
                "kinds": tuple(sorted(acc["kinds"])), "hazardous_t": acc["hazardous_t"]})
        for (u, v), acc in sorted(edges.items()))
    return graph


def summarise(graph: nx.DiGraph) -> dict[str, Any]:
    """Counts and tonnages of a flow graph: self-loops (intra-node exchange) apart."""
    total = self_t = hazardous = 0.0
    self_loops = flows = 0
    for u, v, d in graph.edges(data=True):
        t = float(d.get("tonnes", 0.0))
        total += t
        flows += int(d.get("flows", 1))
        hazardous += float(d.get("hazardous_t", 0.0))
        if u == v:
            self_loops += 1
            self_t += t
    return {"level": graph.graph.get("level"), "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(), "self_loop_edges": self_loops, "flows": flows,
            "total_tonnes": total, "self_loop_tonnes": self_t, "between_tonnes": total - self_t,
            "hazardous_tonnes": hazardous}


# --- the searches --------------------------------------------------------------------------


class _OutOfBudget(Exception):
    pass


class _Index:
    """The graph without self-loops, nodes numbered in key order, successors heaviest first."""

    def __init__(self, graph: nx.DiGraph) -> None:
        # Numbering in key order makes index tuples compare like key tuples (ties, rotation).
        self.keys: list[Hashable] = sorted(graph.nodes, key=_sortable)
        self.pos = pos = {k: i for i, k in enumerate(self.keys)}
        n = len(self.keys)
        self.succ: list[list[tuple[float, int]]] = [[] for _ in range(n)]
        self.pred: list[list[int]] = [[] for _ in range(n)]
        self.edges: list[tuple[float, int, int]] = []
        for u, v, d in graph.edges(data=True):
            t = float(d.get("tonnes", 0.0))
            if u == v or not t > 0:
                continue
            iu, iv = pos[u], pos[v]
            self.succ[iu].append((t, iv))
            self.pred[iv].append(iu)
            self.edges.append((t, iu, iv))
        for s in self.succ:
            s.sort(key=lambda e: (-e[0], e[1]))
        self.succ_set = [{v for _, v in s} for s in self.succ]


def _sortable(key: Hashable) -> tuple[str, Any]:
    # Refs and codes are strings; anything else still sorts deterministically.
    return ("", key) if isinstance(key, str) else (type(key).__name__, str(key))


def _make_chain(graph: nx.DiGraph, level: str, nodes: tuple[Hashable, ...], closed: bool) -> Chain:
    pairs = list(zip(nodes, nodes[1:]))
    if closed:
        pairs.append((nodes[-1], nodes[0]))
    links = []
    materials: dict[str, None] = {}
    codes: dict[str, None] = {}
    for u, v in pairs:
        d = graph.edges[u, v]
        link = ChainLink(source=u, target=v, tonnes=float(d["tonnes"]),
                         materials=tuple(d.get("materials", ())),
                         waste_codes=tuple(d.get("waste_codes", ())), kinds=tuple(d.get("kinds", ())))
        links.append(link)
        materials.update(dict.fromkeys(link.materials))
        codes.update(dict.fromkeys(link.waste_codes))
    total = 0.0
    for link in links:  # in flow order: the same float whichever search found it
        total += link.tonnes
    return Chain(level=level, nodes=tuple(nodes), links=tuple(links), closed=closed,
                 tonnes=min(link.tonnes for link in links), total_tonnes=total,
                 materials=tuple(materials), waste_codes=tuple(codes))


_Key = tuple[float, int, float, tuple[int, ...]]  # (-bottleneck, -nodes, -total, node indices)


def _keep_best(best: list[_Key], key: _Key, limit: int) -> float | None:
    """Insert ``key`` into the sorted ``best`` (at most ``limit`` kept, worst last); once the list is
    full, the bottleneck a newcomer must beat, else None."""
    if len(best) == limit:
        if key >= best[-1]:
            return None
        best.pop()
    bisect.insort(best, key)
    return -best[-1][0] if len(best) == limit else None


def search_chains(graph: nx.DiGraph, *, min_nodes: int = 3, max_nodes: int = 6, limit: int = 50,
                  budget: int = 200_000, loops: Iterable[Chain] | None = None) -> ChainSearch:
    """The ``limit`` most important maximal open chains of ``graph`` (see the module docstring).

    ``graph`` is a ``flow_graph`` (or any DiGraph with a positive ``tonnes`` edge attribute).
    A path that is one of the reported ``loops`` traversed in order is not a chain; by default
    those loops are ``search_loops(graph, max_length=max_nodes, limit=limit)``'s (pass the
    loops the report shows to save that search). Stops after ``budget`` node expansions;
    ``exhaustive`` says whether it finished.
    """
    if min_nodes < 2 or max_nodes < min_nodes:
        raise ValueError(f"need 2 ≤ min_nodes ≤ max_nodes, got {min_nodes}, {max_nodes}")
    if limit < 0 or budget < 1:
        raise ValueError("limit must be ≥ 0 and budget ≥ 1")
    level = graph.graph.get("level", "enterprise")
    if limit == 0:
        return ChainSearch(chains=(), exhaustive=True, work=0, budget=budget)
    if loops is None:
        loops = search_loops(graph, max_length=max_nodes, limit=limit).chains
    ix = _Index(graph)
    succ, pred, succ_set = ix.succ, ix.pred, ix.succ_set
    # Loops as index tuples, smallest index first (index order is key order).
    shown: set[tuple[int, ...]] = set()
    for loop in loops:
        if all(k in ix.pos for k in loop.nodes):
            cycle = [ix.pos[k] for k in loop.nodes]
            j = cycle.index(min(cycle))
            shown.add(tuple(cycle[j:] + cycle[:j]))
    on = [False] * len(ix.keys)
    path: list[int] = []
    # best: sorted (-bottleneck, -nodes, -total, node indices); worst last.
    best: list[tuple[float, int, float, tuple[int, ...]]] = []
    threshold = -math.inf  # bottleneck of the limit-th best so far: anything below cannot win
    expansions = 0

    def record(bottleneck: float, total: float) -> None:
        nonlocal threshold
        n = len(path)
        first, last = path[0], path[-1]
        if n < max_nodes and not all(on[p] for p in pred[first]):
            return  # extendable at the front: a longer chain covers it
        if first in succ_set[last] and shown:
            j = path.index(min(path))
            if tuple(path[j:] + path[:j]) in shown:
                return  # a reported loop traversed in order, not a chain
        full = _keep_best(best, (-bottleneck, -n, -total, tuple(path)), limit)
        if full is not None:
            threshold = full

    def visit(bottleneck: float, total: float) -> None:
        nonlocal expansions
        out = succ[path[-1]]
        if len(path) == max_nodes or all(on[v] for _, v in out):
            if len(path) >= min_nodes:
                record(bottleneck, total)
            return
        for t, v in out:
            if t < threshold:
                break  # heaviest first: every later successor is lighter still
            if on[v]:
                continue
            expansions += 1
            if expansions > budget:
                raise _OutOfBudget
            on[v] = True
            path.append(v)
            visit(min(bottleneck, t), total + t)
            path.pop()
            on[v] = False

    starts = sorted((i for i in range(len(ix.keys)) if succ[i]), key=lambda i: (-succ[i][0][0], i))
    exhaustive = True
    try:
        for s in starts:
            if succ[s][0][0] < threshold:
                break
            on[s] = True
            path.append(s)
            visit(math.inf, 0.0)
            path.pop()
            on[s] = False
    except _OutOfBudget:
        exhaustive = False
    chains = tuple(_make_chain(graph, level, tuple(ix.keys[i] for i in key[3]), closed=False)
                   for key in best)
    return ChainSearch(chains=chains, exhaustive=exhaustive, work=min(expansions, budget), budget=budget)


def search_loops(graph: nx.DiGraph, *, max_length: int = 6, limit: int = 50,
                 budget: int = 200_000) -> ChainSearch:
    """The ``limit`` most important closed loops of 2..``max_length`` nodes (``closed=True``).

    Stops after ``budget`` node expansions; ``exhaustive`` says whether it finished.
    """
    if max_length < 2:
        raise ValueError(f"max_length must be ≥ 2, got {max_length}")
    if limit < 0 or budget < 1:
        raise ValueError("limit must be ≥ 0 and budget ≥ 1")
    level = graph.graph.get("level", "enterprise")
    if limit == 0:
        return ChainSearch(chains=(), exhaustive=True, work=0, budget=budget)
    ix = _Index(graph)
    succ = ix.succ
    n = len(ix.keys)
    pred: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    for t, u, v in ix.edges:
        pred[v].append((t, u))
    for p in pred:
        p.sort(key=lambda e: (-e[0], e[1]))
    weight = {(u, v): t for t, u, v in ix.edges}
    # A cycle lies inside one strongly connected component.
    comp = [-1] * n
    plain = nx.DiGraph()
    plain.add_edges_from((u, v) for _, u, v in ix.edges)
    for c, members in enumerate(nx.strongly_connected_components(plain)):
        if len(members) > 1:
            for i in members:
                comp[i] = c
    # Each cycle is searched from its first node in this order, through later nodes only. No
    # cycle through s is heavier than ``bound[s]`` (its heaviest way in and way out), so with
    # starts in descending bound order the search ends when the bound falls below the threshold.
    bound = [min(succ[i][0][0], pred[i][0][0]) if comp[i] >= 0 else -math.inf for i in range(n)]
    order = sorted((i for i in range(n) if comp[i] >= 0), key=lambda i: (-bound[i], i))
    rank = [n] * n
    for r, i in enumerate(order):
        rank[i] = r
    best: list[tuple[float, int, float, tuple[int, ...]]] = []
    threshold = -math.inf
    expansions = 0
    on = [False] * n
    path: list[int] = []

    def spend() -> None:
        nonlocal expansions
        expansions += 1
        if expansions > budget:
            raise _OutOfBudget

    def record(bottleneck: float) -> None:
        nonlocal threshold
        k = path.index(min(path))  # rotate: smallest key first
        nodes = tuple(path[k:] + path[:k])
        total = 0.0
        for u, v in zip(nodes, nodes[1:] + nodes[:1]):  # in flow order, as ``_make_chain`` sums
            total += weight[u, v]
        full = _keep_best(best, (-bottleneck, -len(nodes), -total, nodes), limit)
        if full is not None:
            threshold = full

    def visit(s: int, dist: dict[int, int], bottleneck: float) -> None:
        k = len(path)
        for t, w in succ[path[-1]]:
            if t < threshold:
                break  # heaviest first: every later successor is lighter still
            if w == s:
                if k >= 2:
                    record(min(bottleneck, t))
                continue
            d = dist.get(w)
            if d is None or on[w] or k + d > max_length:
                continue  # cannot get back to s within max_length nodes
            spend()
            on[w] = True
            path.append(w)
            visit(s, dist, min(bottleneck, t))
            path.pop()
            on[w] = False

    def run(floor: float) -> None:
        """Every cycle with a bottleneck ≥ floor, best ``limit`` kept in ``best``."""
        nonlocal threshold
        threshold = floor
        for s in order:
            if bound[s] < threshold:
                break
            # Distances back to s through later nodes of its component, heavy enough edges only.
            rs, cs = rank[s], comp[s]
            dist = {s: 0}
            frontier = [s]
            for d in range(1, max_length):
                nxt = []
                for x in frontier:
                    for t, p in pred[x]:
                        if t < threshold:
                            break
                        if p in dist or comp[p] != cs or rank[p] <= rs:
                            continue
                        spend()
                        dist[p] = d
                        nxt.append(p)
                frontier = nxt
                if not frontier:
                    break
            if len(dist) == 1:
                continue
            on[s] = True
            path.append(s)
            visit(s, dist, math.inf)
            path.pop()
            on[s] = False

    # Widen a floor on edge tonnes until it lets through ``limit`` loops: every loop below the
    # floor is lighter than every loop above it, and a high floor prunes the search hard from
    # the start (each round costs a fraction of the next, so repeating work is cheap).
    weights = sorted((t for t, _, _ in ix.edges), reverse=True)
    take = 4 * limit
    exhaustive = True
    previous: list[tuple[float, int, float, tuple[int, ...]]] = []
    while True:
        floor = weights[take - 1] if take < len(weights) else -math.inf
        best.clear()
        try:
            run(floor)
        except _OutOfBudget:
            exhaustive = False
            best[:] = sorted(set(best) | set(previous))[:limit]
            break
        if len(best) >= limit or floor == -math.inf:
            break
        previous = list(best)
        take *= 4
    chains = tuple(_make_chain(graph, level, tuple(ix.keys[i] for i in key[3]), closed=True)
                   for key in best)
    return ChainSearch(chains=chains, exhaustive=exhaustive, work=min(expansions, budget), budget=budget)


def find_chains(graph: nx.DiGraph, *, min_nodes: int = 3, max_nodes: int = 6, limit: int = 50,
                budget: int = 200_000, loops: Iterable[Chain] | None = None) -> list[Chain]:
    """``search_chains(...).chains`` as a list (most important first)."""
    return list(search_chains(graph, min_nodes=min_nodes, max_nodes=max_nodes, limit=limit,
                              budget=budget, loops=loops).chains)


def find_loops(graph: nx.DiGraph, *, max_length: int = 6, limit: int = 50,
               budget: int = 200_000) -> list[Chain]:
    """``search_loops(...).chains`` as a list (most important first), each ``closed=True``."""
    return list(search_loops(graph, max_length=max_length, limit=limit, budget=budget).chains)
