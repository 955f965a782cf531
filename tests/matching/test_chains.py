"""Symbiosis chains and loops: hand-made parks with known answers, brute force on small random
graphs, and validity (not timing) on a large dense random graph."""
from __future__ import annotations

import json
import random

import networkx as nx
import pytest

from matching.chains import (
    LEVELS,
    Chain,
    FlowLink,
    Party,
    find_chains,
    find_loops,
    flow_graph,
    importance_key,
    search_chains,
    search_loops,
    summarise,
)

PARTIES = {p.ref: p for p in (
    Party("E-001", "华鑫化工", "2611", "Basic inorganic chemicals", "CH"),  # hydrochloric acid
    Party("E-002", "净源水处理剂", "2662", "Special chemicals", "CH"),  # ferric chloride maker
    Party("E-003", "城东污水处理厂", "4620", "Sewage treatment", "CH"),
    Party("E-004", "锂能电池", "3841", "Lithium-ion battery manufacturing", "CH"),
    Party("E-005", "绿源溶剂回收", "4220", "Non-metal waste recycling", "CH"),
    Party("E-006", "锂能电池二厂", "3841", "Lithium-ion battery manufacturing", "JX"),
    Party("E-007", "园外水泥", "3011", None, None),
    Party("E-008", "无行业企业", None, None, "JX"),
)}


def link(source: str, target: str, tonnes: float, material: str = "物料", **kw) -> FlowLink:
    return FlowLink(source, target, tonnes, material, **kw)


def weighted(edges: list[tuple[str, str, float]], level: str = "enterprise") -> nx.DiGraph:
    graph = nx.DiGraph(level=level)
    for u, v, t in edges:
        graph.add_edge(u, v, tonnes=float(t), materials=(f"{u}>{v}",), waste_codes=(), kinds=("waste",))
    return graph


def assert_valid(graph: nx.DiGraph, chains: list[Chain], closed: bool, *, min_nodes: int = 2,
                 max_nodes: int = 6, loops: list[Chain] = ()) -> None:
    """Each result is a simple path (cycle) of the graph with the right figures, sorted."""
    seen = set()
    for c in chains:
        assert c.closed is closed
        assert len(set(c.nodes)) == len(c.nodes)
        assert min_nodes <= len(c.nodes) <= max_nodes
        pairs = list(zip(c.nodes, c.nodes[1:] + (c.nodes[:1] if closed else ())))
        assert [(x.source, x.target) for x in c.links] == pairs
        assert all(u != v and graph.has_edge(u, v) for u, v in pairs)
        weights = [graph.edges[p]["tonnes"] for p in pairs]
        assert [x.tonnes for x in c.links] == weights
        assert c.tonnes == min(weights)
        assert c.total_tonnes == pytest.approx(sum(weights))
        if closed:
            assert c.nodes[0] == min(c.nodes)
        else:  # maximal, and not a reported loop
            assert len(c.nodes) == max_nodes or not (
                set(graph.successors(c.nodes[-1])) - set(c.nodes) or set(graph.predecessors(c.nodes[0])) - set(c.nodes))
            assert min(c.nodes[j:] + c.nodes[:j] for j in range(len(c.nodes))) not in {x.nodes for x in loops}
        assert c.nodes not in seen
        seen.add(c.nodes)
    assert [importance_key(c) for c in chains] == sorted(importance_key(c) for c in chains)


# --- hand-made parks ------------------------------------------------------------------------


def test_three_enterprise_chain_with_bottleneck_links_and_materials():
    graph = flow_graph([
        link("E-001", "E-002", 1200, "废盐酸 waste hydrochloric acid", waste_code="HW34", hazardous=True),
        link("E-002", "E-003", 800, "三氯化铁 ferric chloride", kind="product"),
    ], PARTIES)
    search = search_chains(graph)
    assert search.exhaustive
    [chain] = search.chains
    assert chain.nodes == ("E-001", "E-002", "E-003")
    assert not chain.closed
    assert chain.level == "enterprise"
    assert chain.tonnes == 800
    assert chain.total_tonnes == 2000
    assert chain.materials == ("废盐酸 waste hydrochloric acid", "三氯化铁 ferric chloride")
    assert chain.waste_codes == ("HW34",)
    first, second = chain.links
    assert (first.source, first.target, first.tonnes, first.kinds) == ("E-001", "E-002", 1200, ("waste",))
    assert (second.source, second.target, second.tonnes, second.kinds) == ("E-002", "E-003", 800, ("product",))
    assert second.waste_codes == ()
    assert find_loops(graph) == []


def test_two_node_loop_is_a_loop_and_not_a_chain():
    graph = flow_graph([
        link("E-004", "E-005", 300, "废NMP waste NMP", waste_code="HW06", hazardous=True),
        link("E-005", "E-004", 270, "再生NMP recycled NMP", kind="product"),
    ], PARTIES)
    [loop] = find_loops(graph)
    assert loop.closed
    assert loop.nodes == ("E-004", "E-005")
    assert loop.tonnes == 270 and loop.total_tonnes == 570
    assert [(x.source, x.target) for x in loop.links] == [("E-004", "E-005"), ("E-005", "E-004")]
    assert loop.materials == ("废NMP waste NMP", "再生NMP recycled NMP")
    assert find_chains(graph) == []
    assert find_chains(graph, min_nodes=2) == []  # the loop traversed in order is not a chain


def test_three_node_cycle_is_reported_once_from_its_smallest_key():
    graph = weighted([("C", "A", 5), ("A", "B", 7), ("B", "C", 6)])
    [loop] = find_loops(graph)
    assert loop.nodes == ("A", "B", "C")
    assert loop.tonnes == 5
    assert find_chains(graph) == []
    assert find_chains(graph, min_nodes=2) == []


def test_a_loop_with_a_tail_gives_one_loop_and_one_chain():
    graph = weighted([("A", "B", 5), ("B", "C", 5), ("C", "A", 5), ("C", "D", 2)])
    assert [c.nodes for c in find_loops(graph)] == [("A", "B", "C")]
    assert [c.nodes for c in find_chains(graph)] == [("A", "B", "C", "D")]


def test_sub_paths_of_a_chain_are_not_reported():
    graph = weighted([("A", "B", 10), ("B", "C", 5), ("C", "D", 8)])
    assert [c.nodes for c in find_chains(graph)] == [("A", "B", "C", "D")]
    # Maximality is strict: a light edge onto the end still extends the chain.
    graph.add_edge("D", "E", tonnes=1.0)
    assert [c.nodes for c in find_chains(graph)] == [("A", "B", "C", "D", "E")]
    # ... and the cap on nodes makes a long path maximal, so its windows are the chains.
    assert [c.nodes for c in find_chains(graph, max_nodes=3)] == [("A", "B", "C"), ("B", "C", "D"),
                                                                   ("C", "D", "E")]


def test_branches_are_separate_maximal_chains():
    graph = weighted([("A", "B", 10), ("B", "C", 4), ("B", "D", 9), ("X", "B", 3)])
    assert [c.nodes for c in find_chains(graph)] == [
        ("A", "B", "D"), ("A", "B", "C"), ("X", "B", "D"), ("X", "B", "C")]


def test_order_bottleneck_then_nodes_then_total_then_keys():
    graph = weighted([
        ("A1", "A2", 50), ("A2", "A3", 3),  # bottleneck 3
        ("B1", "B2", 9), ("B2", "B3", 9),  # bottleneck 9, total 18
        ("C1", "C2", 9), ("C2", "C3", 9), ("C3", "C4", 9),  # bottleneck 9, 4 nodes
        ("D1", "D2", 9), ("D2", "D3", 20),  # bottleneck 9, total 29
        ("E1", "E2", 9), ("E2", "E3", 9),  # same as B: node keys decide
    ])
    chains = find_chains(graph)
    assert [c.nodes[0] for c in chains] == ["C1", "D1", "B1", "E1", "A1"]
    assert [c.tonnes for c in chains] == [9, 9, 9, 9, 3]
    assert_valid(graph, chains, closed=False, min_nodes=3)


def test_limit_is_respected_and_keeps_the_best():
    graph = weighted([(f"S{i}", f"M{i}", 10 + i) for i in range(8)]
                     + [(f"M{i}", f"T{i}", 10 + i) for i in range(8)]
                     + [(f"P{i}", f"Q{i}", 10 + i) for i in range(8)]
                     + [(f"Q{i}", f"P{i}", 20 + i) for i in range(8)])
    chains = find_chains(graph, limit=3)
    assert [c.nodes[0] for c in chains] == ["S7", "S6", "S5"]
    loops = find_loops(graph, limit=2)
    assert [c.nodes for c in loops] == [("P7", "Q7"), ("P6", "Q6")]
    assert find_chains(graph, limit=0) == [] and find_loops(graph, limit=0) == []


def test_loop_length_bound():
    ring = [(f"N{i}", f"N{(i + 1) % 7}", 5) for i in range(7)]
    graph = weighted(ring)
    assert find_loops(graph) == []  # 7 nodes > max_length 6
    [loop] = find_loops(graph, max_length=7)
    assert loop.nodes == tuple(f"N{i}" for i in range(7))
    # Without the loop (too long) the ring still is no chain: its 6-node windows are chains.
    chains = find_chains(graph)
    assert len(chains) == 7 and all(len(c.nodes) == 6 for c in chains)


# --- the graph ------------------------------------------------------------------------------


def test_edges_aggregate_links_between_the_same_nodes():
    graph = flow_graph([
        link("E-001", "E-002", 100, "废盐酸", waste_code="HW34", hazardous=True),
        link("E-001", "E-002", 50, "废硫酸", waste_code="HW34", hazardous=True),
        link("E-001", "E-002", 25, "氯化钠", kind="product"),
        link("E-001", "E-002", 0, "零吨"),  # ignored
        link("E-002", "E-003", -5, "负吨"),  # ignored, and E-003 never appears
    ], PARTIES)
    assert list(graph.nodes) == ["E-001", "E-002"]
    assert graph.graph["level"] == "enterprise"
    edge = graph.edges["E-001", "E-002"]
    assert edge["tonnes"] == 175 and edge["flows"] == 3
    assert edge["materials"] == tuple(sorted(("废盐酸", "废硫酸", "氯化钠")))
    assert edge["waste_codes"] == ("HW34",)
    assert edge["kinds"] == ("product", "waste")
    assert edge["hazardous_t"] == 150
    node = graph.nodes["E-001"]
    assert (node["label_zh"], node["label_en"], node["members"]) == ("华鑫化工", "E-001", ("E-001",))


def test_zero_tonne_links_make_no_chain():
    graph = flow_graph([link("E-001", "E-002", 10), link("E-002", "E-003", 0)], PARTIES)
    assert find_chains(graph) == []
    assert graph.number_of_edges() == 1


def test_unknown_ref_and_level_raise():
    with pytest.raises(ValueError, match="E-999"):
        flow_graph([link("E-001", "E-999", 10)], PARTIES)
    with pytest.raises(ValueError, match="E-998"):
        flow_graph([link("E-998", "E-001", 0)], PARTIES)
    with pytest.raises(ValueError, match="level"):
        flow_graph([], PARTIES, level="city")
    with pytest.raises(ValueError):
        find_chains(weighted([]), min_nodes=1)
    with pytest.raises(ValueError):
        find_loops(weighted([]), max_length=1)


PARK_FLOWS = [
    link("E-004", "E-005", 300, "废NMP", waste_code="HW06", hazardous=True),  # 3841 → 4220
    link("E-006", "E-005", 200, "废NMP", waste_code="HW06", hazardous=True),  # 3841 (JX) → 4220
    link("E-005", "E-004", 270, "再生NMP", kind="product"),  # 4220 → 3841
    link("E-004", "E-006", 40, "电池极片", kind="product"),  # 3841 → 3841: intra-industry
    link("E-005", "E-007", 60, "精馏残渣", waste_code="HW06", hazardous=True),  # → cement, no park
    link("E-008", "E-007", 15, "废包装"),  # unknown industry
]


def test_industry_level_merges_enterprises_and_keeps_intra_industry_flow_as_self_loop():
    graph = flow_graph(PARK_FLOWS, PARTIES, level="industry")
    assert sorted(graph.nodes) == ["3011", "3841", "4220", "?:E-008"]
    battery = graph.nodes["3841"]
    assert battery["members"] == ("E-004", "E-006")
    assert battery["label_en"] == "3841 Lithium-ion battery manufacturing"
    assert graph.nodes["3011"]["label_en"] == "3011"
    assert graph.nodes["?:E-008"]["label_en"] == "Unknown industry E-008"
    assert graph.nodes["?:E-008"]["label_zh"] == "行业未知 E-008"
    assert graph.edges["3841", "4220"]["tonnes"] == 500 and graph.edges["3841", "4220"]["flows"] == 2
    assert graph.edges["3841", "3841"]["tonnes"] == 40  # kept: intra-industry exchange
    [loop] = find_loops(graph)
    assert loop.level == "industry"
    assert loop.nodes == ("3841", "4220") and loop.tonnes == 270
    assert [c.nodes for c in find_chains(graph)] == [("3841", "4220", "3011")]
    summary = summarise(graph)
    assert summary["self_loop_edges"] == 1 and summary["self_loop_tonnes"] == 40
    assert summary["total_tonnes"] == 885 and summary["between_tonnes"] == 845
    assert summary["flows"] == 6 and summary["hazardous_tonnes"] == 560


def test_intra_industry_flows_alone_make_no_loop():
    graph = flow_graph([link("E-004", "E-006", 40), link("E-006", "E-004", 30)], PARTIES, level="industry")
    assert list(graph.edges) == [("3841", "3841")]
    assert graph.edges["3841", "3841"]["tonnes"] == 70
    assert find_loops(graph) == [] and find_chains(graph, min_nodes=2) == []
    # ... while at enterprise level the same flows are a loop.
    assert [c.nodes for c in find_loops(flow_graph([link("E-004", "E-006", 40), link("E-006", "E-004", 30)],
                                                   PARTIES))] == [("E-004", "E-006")]


def test_park_level():
    graph = flow_graph(PARK_FLOWS, PARTIES, level="park")
    assert sorted(graph.nodes) == ["-:E-007", "CH", "JX"]
    assert graph.nodes["-:E-007"]["members"] == ("E-007",)
    assert graph.nodes["CH"]["members"] == ("E-004", "E-005")
    assert graph.nodes["-:E-007"]["label_zh"] == "园区外 E-007"
    assert graph.nodes["-:E-007"]["label_en"] == "Outside any park E-007"
    assert graph.edges["CH", "CH"]["tonnes"] == 570  # 300 + 270 within CH
    assert graph.edges["CH", "JX"]["tonnes"] == 40 and graph.edges["JX", "CH"]["tonnes"] == 200
    assert graph.edges["CH", "-:E-007"]["tonnes"] == 60 and graph.edges["JX", "-:E-007"]["tonnes"] == 15
    [loop] = find_loops(graph)
    assert loop.nodes == ("CH", "JX") and loop.tonnes == 40
    assert [(c.nodes, c.tonnes) for c in find_chains(graph)] == [(("JX", "CH", "-:E-007"), 60),
                                                                      (("CH", "JX", "-:E-007"), 15)]
    assert {summarise(flow_graph(PARK_FLOWS, PARTIES, level=lv))["total_tonnes"] for lv in LEVELS} == {885}


UNKNOWN_PARTIES = {p.ref: p for p in (
    Party("E-047", "无行业甲", None, None, None),
    Party("E-060", "涂料厂", "2666", "Special chemicals", "CH"),
    Party("E-027", "无行业乙", None, None, None),
    Party("E-061", "涂料二厂", "2666", "Special chemicals", "CH"),
)}


def test_unknown_industry_enterprises_are_separate_nodes_so_an_open_chain_is_no_industry_loop():
    # E-047 → E-060 → E-027: an open enterprise chain; E-047 and E-027 have no industry (nor park).
    flows = [link("E-047", "E-060", 50), link("E-060", "E-027", 30)]
    for level, unknown in (("industry", "?"), ("park", "-")):
        graph = flow_graph(flows, UNKNOWN_PARTIES, level=level)
        known = "2666" if level == "industry" else "CH"
        assert sorted(graph.nodes) == sorted([f"{unknown}:E-027", f"{unknown}:E-047", known])
        assert graph.nodes[f"{unknown}:E-047"]["members"] == ("E-047",)
        assert find_loops(graph) == [], level
        assert [c.nodes for c in find_chains(graph)] == [(f"{unknown}:E-047", known, f"{unknown}:E-027")]
    labels = flow_graph(flows, UNKNOWN_PARTIES, level="industry").nodes["?:E-027"]
    assert (labels["label_zh"], labels["label_en"]) == ("行业未知 E-027", "Unknown industry E-027")


def test_known_industry_still_collapses_and_a_real_loop_through_an_unknown_enterprise_stays():
    # E-060 and E-061 share industry 2666 (and park CH): one node, as before; E-047 → 2666 → E-047
    # is a real loop (the same enterprise at both ends).
    flows = [link("E-047", "E-060", 50), link("E-061", "E-047", 20)]
    graph = flow_graph(flows, UNKNOWN_PARTIES, level="industry")
    assert sorted(graph.nodes) == ["2666", "?:E-047"]
    assert graph.nodes["2666"]["members"] == ("E-060", "E-061")
    assert [(c.nodes, c.tonnes) for c in find_loops(graph)] == [(("2666", "?:E-047"), 20)]
    park = flow_graph(flows, UNKNOWN_PARTIES, level="park")
    assert park.nodes["CH"]["members"] == ("E-060", "E-061")
    assert [c.nodes for c in find_loops(park)] == [("-:E-047", "CH")]


def test_as_dict_is_json_and_carries_labels():
    graph = flow_graph(PARK_FLOWS, PARTIES)
    search = search_chains(graph)
    data = search.as_dict(graph)
    json.dumps(data, ensure_ascii=False)
    assert data["exhaustive"] is True
    first = data["chains"][0]
    assert first["nodes"][0] == {"key": "E-004", "label_zh": "锂能电池", "label_en": "E-004"}
    assert first["links"][1] == {"source": "E-005", "target": "E-007", "tonnes": 60.0, "materials": ["精馏残渣"],
                                 "waste_codes": ["HW06"], "kinds": ["waste"]}
    assert (first["tonnes"], first["total_tonnes"], first["waste_codes"]) == (60.0, 360.0, ["HW06"])
    plain = search.chains[0].as_dict()
    assert plain["nodes"] == ["E-004", "E-005", "E-007"] and plain["closed"] is False
    # E-006 → E-005 → E-004 is the loop through E-006 traversed in order, not a chain.
    assert [c["nodes"] for c in data["chains"]] == [
        [{"key": k, "label_zh": PARTIES[k].name, "label_en": k} for k in keys]
        for keys in (("E-004", "E-005", "E-007"), ("E-004", "E-006", "E-005", "E-007"))]
    loops = [c.as_dict(graph) for c in find_loops(graph)]
    json.dumps(loops, ensure_ascii=False)
    assert [[n["key"] for n in c["nodes"]] for c in loops] == [["E-004", "E-005"], ["E-004", "E-006", "E-005"]]
    assert all(c["closed"] for c in loops)


# --- brute force on small random graphs -------------------------------------------------------


def random_graph(n: int, m: int, seed: int, *, ties: bool) -> nx.DiGraph:
    rnd = random.Random(seed)
    graph = nx.DiGraph(level="enterprise")
    graph.add_nodes_from(f"N{i:04d}" for i in range(n))
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < m:
        u, v = rnd.randrange(n), rnd.randrange(n)  # self-loops allowed: the searches skip them
        t = float(rnd.randint(1, 4)) if ties else round(rnd.lognormvariate(3, 1.5), 3) + 0.001
        if (u, v) in pairs:
            continue
        pairs.add((u, v))
        graph.add_edge(f"N{u:04d}", f"N{v:04d}", tonnes=t, materials=("m",), waste_codes=(), kinds=("waste",))
    return graph


def key(nodes: tuple[str, ...], weights: list[float]) -> tuple:
    total = 0.0
    for w in weights:
        total += w
    return (-min(weights), -len(nodes), -total, nodes)


def brute_chains(graph: nx.DiGraph, min_nodes: int, max_nodes: int, limit: int) -> list[tuple]:
    reported = {k[3] for k in brute_loops(graph, max_nodes, limit)}
    g = nx.DiGraph(graph)
    g.remove_edges_from(list(nx.selfloop_edges(g)))
    found = []

    def grow(path: list[str]) -> None:
        ext_end = [v for v in g.successors(path[-1]) if v not in path]
        ext_front = [u for u in g.predecessors(path[0]) if u not in path]
        if len(path) >= min_nodes and (len(path) == max_nodes or not (ext_end or ext_front)) \
                and min(tuple(path[j:] + path[:j]) for j in range(len(path))) not in reported:
            nodes = tuple(path)
            found.append(key(nodes, [g.edges[p]["tonnes"] for p in zip(nodes, nodes[1:])]))
        if len(path) < max_nodes:
            for v in ext_end:
                grow(path + [v])

    for s in g.nodes:
        grow([s])
    return sorted(found)[:limit]


def brute_loops(graph: nx.DiGraph, max_length: int, limit: int) -> list[tuple]:
    g = nx.DiGraph(graph)
    g.remove_edges_from(list(nx.selfloop_edges(g)))
    found = []
    for cycle in nx.simple_cycles(g, length_bound=max_length):
        k = cycle.index(min(cycle))
        nodes = tuple(cycle[k:] + cycle[:k])
        found.append(key(nodes, [g.edges[p]["tonnes"] for p in zip(nodes, nodes[1:] + nodes[:1])]))
    return sorted(found)[:limit]


@pytest.mark.parametrize("seed", range(40))
def test_matches_brute_force_on_small_random_graphs(seed):
    rnd = random.Random(1000 + seed)
    n = rnd.randint(4, 11)
    graph = random_graph(n, rnd.randint(n, 3 * n), seed, ties=seed % 2 == 0)
    min_nodes = rnd.randint(2, 3)
    max_nodes = rnd.randint(min_nodes, 5)
    limit = rnd.choice([1, 3, 10, 1000])
    chains = search_chains(graph, min_nodes=min_nodes, max_nodes=max_nodes, limit=limit)
    assert chains.exhaustive
    assert [importance_key(c) for c in chains.chains] == brute_chains(graph, min_nodes, max_nodes, limit)
    max_length = rnd.randint(2, 6)
    loops = search_loops(graph, max_length=max_length, limit=limit)
    assert loops.exhaustive
    assert [importance_key(c) for c in loops.chains] == brute_loops(graph, max_length, limit)


# --- a large dense random graph: bounded work, valid results -----------------------------------


@pytest.fixture(scope="module")
def dense() -> nx.DiGraph:
    return random_graph(3000, 8000, seed=7, ties=False)


def test_dense_graph_chains_are_valid(dense):
    search = search_chains(dense)
    assert search.exhaustive  # branch-and-bound finishes well within the budget on this graph
    assert len(search.chains) == 50 and search.work <= search.budget
    assert_valid(dense, list(search.chains), closed=False, min_nodes=3, loops=find_loops(dense))
    small = search_chains(dense, budget=200)
    assert not small.exhaustive and small.work == 200
    assert_valid(dense, list(small.chains), closed=False, min_nodes=3)
    assert importance_key(small.chains[0]) >= importance_key(search.chains[0])


def test_dense_graph_loops_are_valid(dense):
    search = search_loops(dense)
    assert search.exhaustive
    assert len(search.chains) == 50
    assert_valid(dense, list(search.chains), closed=True)
    small = search_loops(dense, budget=500)
    assert not small.exhaustive and small.work == 500
    assert_valid(dense, list(small.chains), closed=True)


def test_only_reported_loops_are_kept_out_of_the_chains():
    graph = weighted([("A", "B", 9), ("B", "A", 8), ("C", "D", 3), ("D", "C", 2)])
    assert find_chains(graph, min_nodes=2) == []  # both loops are reported by default
    top = find_loops(graph, limit=1)
    assert [c.nodes for c in top] == [("A", "B")]
    # C ⇄ D is not among the loops shown, so its two ways stay visible as chains.
    assert [c.nodes for c in find_chains(graph, min_nodes=2, loops=top)] == [("C", "D"), ("D", "C")]
    assert [c.nodes for c in find_chains(graph, min_nodes=2, loops=[])] == [("A", "B"), ("B", "A"), ("C", "D"),
                                                                          ("D", "C")]
    # A complete digraph: every path closes, but only the reported loops are taken out.
    complete = nx.complete_graph([f"I{i}" for i in range(6)], create_using=nx.DiGraph)
    for u, v in complete.edges:
        complete.edges[u, v]["tonnes"] = float(1 + (int(u[1]) * 7 + int(v[1]) * 3) % 11)
    loops = find_loops(complete)
    chains = find_chains(complete, loops=loops)
    assert len(loops) == 50 and len(chains) == 50
    assert_valid(complete, chains, closed=False, min_nodes=3, loops=loops)
    assert all(len(c.nodes) == 6 for c in chains)


def test_dense_industry_like_graph_hits_the_budget_and_stays_valid():
    # 40 nodes, half of all pairs linked, equal tonnes: no pruning possible, so the budget decides.
    rnd = random.Random(3)
    graph = nx.DiGraph(level="industry")
    for u in range(40):
        for v in range(40):
            if u != v and rnd.random() < 0.5:
                graph.add_edge(f"I{u:02d}", f"I{v:02d}", tonnes=1.0)
    chains = search_chains(graph, budget=20_000)
    loops = search_loops(graph, budget=20_000)
    assert not chains.exhaustive and not loops.exhaustive
    assert_valid(graph, list(chains.chains), closed=False, min_nodes=3)
    assert_valid(graph, list(loops.chains), closed=True)
    assert len(chains.chains) == 50 and len(loops.chains) == 50
