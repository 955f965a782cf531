"""Symbiosis chains and loops (``matching.chains``) at park scale, on generated flow networks.

    .venv/bin/python benchmarks/bench_chains.py --out benchmarks/results/chains.json

Each scenario generates enterprises (GB/T 4754 industries, parks, 8 % outside any park) and
random flows between them (lognormal tonnes; 70 % stay inside the producer's park; one flow
in ten has a product flowing back, so loops exist), then times, at each level, ``flow_graph``,
``search_loops`` and ``search_chains`` (given those loops, as the report does) with their
defaults (median of ``--repeat`` runs):

* ``park_10k``: 3,000 enterprises, 8,000 flows (what a 10,000-listing park yields);
* ``dense``: 5,000 enterprises, 20,000 flows;
* ``equal_tonnes``: as ``park_10k`` with every flow 10 t: the bottleneck cannot prune, so
  the budgets decide (``exhaustive`` false where they run out).

Prints a summary on stderr and writes one JSON document (``--out``, default stdout).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import networkx as nx  # noqa: E402

from matching.chains import LEVELS, FlowLink, Party, flow_graph, search_chains, search_loops, summarise  # noqa: E402

INDUSTRIES = [("2611", "Basic inorganic chemicals"), ("2614", "Basic organic chemicals"),
              ("2662", "Special chemicals"), ("3841", "Lithium-ion battery manufacturing"),
              ("3011", "Cement"), ("3120", "Steel rolling"), ("3216", "Aluminium smelting"),
              ("2710", "Chemical pharmaceuticals"), ("3360", "Metal surface treatment"),
              ("3982", "Printed circuit boards"), ("4220", "Non-metal waste recycling"),
              ("4210", "Metal waste recycling"), ("4620", "Sewage treatment"),
              ("7724", "Hazardous waste treatment"), ("2211", "Pulp"), ("2651", "Synthetic resins")]
PARKS = ["CH", "JX", "NB", "SZ", "TJ", "DL", "ZJ", "YT"]
MATERIALS = ["废盐酸 waste HCl", "废NMP waste NMP", "再生NMP recycled NMP", "废矿物油 waste oil",
             "污泥 sludge", "粉煤灰 fly ash", "废铝渣 aluminium dross", "三氯化铁 ferric chloride"]


def info(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def generate(enterprises: int, flows: int, seed: int, equal_tonnes: bool = False):
    rnd = random.Random(seed)
    parties = {}
    by_park: dict[str | None, list[str]] = {}
    for i in range(enterprises):
        code, name = rnd.choice(INDUSTRIES) if rnd.random() > 0.03 else (None, None)
        park = rnd.choice(PARKS) if rnd.random() > 0.08 else None
        ref = f"E-{i:05d}"
        parties[ref] = Party(ref, f"企业{i}", code, name, park)
        by_park.setdefault(park, []).append(ref)
    refs = list(parties)
    links: list[FlowLink] = []
    while len(links) < flows:
        src = rnd.choice(refs)
        pool = by_park[parties[src].park] if rnd.random() < 0.7 else refs
        tgt = rnd.choice(pool)
        if tgt == src:
            continue
        tonnes = 10.0 if equal_tonnes else round(rnd.lognormvariate(4, 1.6), 2)
        hw = rnd.random() < 0.3
        links.append(FlowLink(src, tgt, tonnes, rnd.choice(MATERIALS), "HW06" if hw else None,
                              "waste", hw))
        if rnd.random() < 0.1:  # a product back: closes a loop
            back = 10.0 if equal_tonnes else round(tonnes * rnd.uniform(0.3, 0.9), 2)
            links.append(FlowLink(tgt, src, back, "再生产品 recycled product", None, "product"))
    return parties, links


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return result, round(statistics.median(times), 4)


def run_scenario(name: str, enterprises: int, flows: int, seed: int, repeat: int, equal: bool = False) -> dict:
    parties, links = generate(enterprises, flows, seed, equal)
    out: dict = {"enterprises": enterprises, "flows": len(links), "levels": {}}
    for level in LEVELS:
        graph, graph_s = timed(lambda: flow_graph(links, parties, level), repeat)
        loops, loops_s = timed(lambda: search_loops(graph), repeat)
        # As the report does: the loops it shows are kept out of the chains.
        chains, chains_s = timed(lambda: search_chains(graph, loops=loops.chains), repeat)
        summary = summarise(graph)
        row = {
            "nodes": summary["nodes"], "edges": summary["edges"],
            "self_loop_edges": summary["self_loop_edges"],
            "density": round(nx.density(graph), 4),
            "flow_graph_s": graph_s, "chains_s": chains_s, "loops_s": loops_s,
            "chains_plus_loops_s": round(chains_s + loops_s, 4),
            "chains": {"found": len(chains.chains), "exhaustive": chains.exhaustive, "work": chains.work,
                       "budget": chains.budget, "top_tonnes": chains.chains[0].tonnes if chains.chains else None,
                       "top_nodes": len(chains.chains[0].nodes) if chains.chains else None},
            "loops": {"found": len(loops.chains), "exhaustive": loops.exhaustive, "work": loops.work,
                      "budget": loops.budget, "top_tonnes": loops.chains[0].tonnes if loops.chains else None,
                      "top_nodes": len(loops.chains[0].nodes) if loops.chains else None},
        }
        out["levels"][level] = row
        info(f"{name:13s} {level:10s} nodes={row['nodes']:5d} edges={row['edges']:6d} "
             f"graph={graph_s:.3f}s chains={chains_s:.3f}s ({'exact' if chains.exhaustive else 'budget'}) "
             f"loops={loops_s:.3f}s ({'exact' if loops.exhaustive else 'budget'})")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    result = {"benchmark": "chains", "python": platform.python_version(), "networkx": nx.__version__,
              "machine": platform.machine(), "date": dt.date.today().isoformat(), "seed": args.seed,
              "repeat": args.repeat, "scenarios": {
                  "park_10k": run_scenario("park_10k", 3000, 8000, args.seed, args.repeat),
                  "dense": run_scenario("dense", 5000, 20000, args.seed, args.repeat),
                  "equal_tonnes": run_scenario("equal_tonnes", 3000, 8000, args.seed, args.repeat, equal=True),
              }}
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)


if __name__ == "__main__":
    main()
