"""A cold ``wastematch match --json`` from the command line, stage by stage (issue 19: "cold from the CLI").

    .venv/bin/python benchmarks/bench_cli_match.py [--listings 20000] [--db URL] [--reuse] [--out FILE]

``bench_fixed_costs.py`` times ``run_park`` alone. A user's cold run also starts the interpreter, imports the
application, reads the listings from the database, stores the run's proposals and prints the document. This
script builds a database once (``bench_report.build_document``: the generated park's offers and needs as one
``wastematch.v1`` document, every generated park kept, imported with ``wastematch import``), then runs
``wastematch match --json`` twice, each in a fresh process with its output to a file, and records of each:

* the wall time of the whole process (``first``: the park's first run, which creates every proposal, with its
  audit rows and notices; ``again``: the same run once more, which finds its proposals open and updates them);
* the time of each stage, measured inside the process around the CLI's own entry point (imports,
  ``build_problem``, ``run_park`` and its own ``total_s``, storing the run, writing the JSON document);

and the bare pipeline (``bench_matching.run_bare``) on the same database's problem, median of three.

Writes one JSON document (``--out``, default ``benchmarks/results/cli_match.json``) with the machine.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.machine import machine

DEFAULT_OUT = ROOT / "benchmarks" / "results" / "cli_match.json"
WASTEMATCH = str(Path(sys.executable).with_name("wastematch"))

# Run in a fresh interpreter: the CLI's own entry point, with each stage timed from the outside.
STAGES = r"""
import functools, json, sys, time
t0 = time.perf_counter()
import web.cli as cli
from web.cli import matching as command
import marketplace.services.matching.runs as runs
times = {"imports_s": time.perf_counter() - t0}
def timed(module, name, key):
    f = getattr(module, name)
    @functools.wraps(f)
    def g(*a, **k):
        t = time.perf_counter()
        try:
            out = f(*a, **k)
        finally:
            times[key] = times.get(key, 0.0) + time.perf_counter() - t
        if key == "run_park_s":
            times["run_park_total_s"] = out.timings.get("total_s")
        return out
    setattr(module, name, g)
for module, name, key in ((runs, "build_problem", "build_problem_s"), (runs, "run_park", "run_park_s"),
                          (runs, "_store", "store_s"), (command, "emit_json", "emit_json_s")):
    timed(module, name, key)
sys.argv = ["wastematch", "match", "--json"]
try:
    cli.main()
except SystemExit:
    pass
times["total_s"] = time.perf_counter() - t0
print(json.dumps({k: round(v, 3) for k, v in times.items()}), file=sys.stderr)
"""


def info(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def build(url: str, listings: int, seed: int, workdir: Path) -> dict:
    """The database: ``listings`` generated listings imported through the command line."""
    from benchmarks.bench_report import build_document

    doc, meta = build_document(listings, 10_000, seed)  # every generated park kept
    path = workdir / "park.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    env = {**os.environ, "WASTEMATCH_DATABASE_URL": url}
    t = time.perf_counter()
    subprocess.run([WASTEMATCH, "init"], env=env, check=True, capture_output=True)
    subprocess.run([WASTEMATCH, "import", str(path)], env=env, check=True, capture_output=True)
    return {"listings": len(doc["listings"]), "parks": len(doc["parks"]), "import_s": round(time.perf_counter() - t, 3),
            **{k: meta[k] for k in ("enterprises", "licences") if k in meta}}


def bare(url: str, repeats: int = 3) -> dict:
    """The bare pipeline on the database's problem (as ``wastematch match`` builds it), median of ``repeats``."""
    from sqlalchemy.orm import Session

    from benchmarks.bench_matching import run_bare
    from marketplace.db import make_engine
    from marketplace.services.matching.engine_input import build_problem

    engine = make_engine(url)
    with Session(engine) as session:
        problem = build_problem(session)
    engine.dispose()
    runs = [run_bare(problem)["bare_total_s"] for _ in range(repeats)]
    return {"offers": problem.o.size, "needs": problem.n.size, "runs_s": runs,
            "median_s": round(statistics.median(runs), 4)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listings", type=int, default=20_000, help="offers and needs together (default 20000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--db", default=None, help="an empty database URL (default: SQLite in a temporary folder)")
    ap.add_argument("--reuse", action="store_true", help="time the database at --db as it is")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    if args.listings < 2:
        ap.error("--listings must be at least 2")
    if args.reuse and not args.db:
        ap.error("--reuse needs --db")

    with tempfile.TemporaryDirectory(prefix="wm-cli-") as tmp:
        workdir = Path(tmp)
        url = args.db or f"sqlite:///{workdir / 'wastematch.sqlite3'}"
        doc: dict = {"benchmark": "wastematch.bench_cli_match", "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                     "machine": machine("numpy", "scipy", "scikit-learn", "ortools", "sqlalchemy")}
        if not args.reuse:
            info(f"building the database ({args.listings} listings) …")
            doc["database"] = build(url, args.listings, args.seed, workdir)
        env = {**os.environ, "WASTEMATCH_DATABASE_URL": url}
        out = workdir / "match.json"
        for key in ("first", "again"):
            info(f"wastematch match --json ({key}) …")
            t = time.perf_counter()
            with open(out, "w") as fh:
                staged = subprocess.run([sys.executable, "-c", STAGES], env=env, cwd=ROOT, check=True, stdout=fh,
                                        stderr=subprocess.PIPE, text=True)
            doc[key] = {"wall_s": round(time.perf_counter() - t, 3),
                        **json.loads(staged.stderr.strip().splitlines()[-1])}
        doc["output_mb"] = round(out.stat().st_size / 2**20, 1)
        result = json.loads(out.read_text(encoding="utf-8"))
        doc["objective"], doc["matches"] = result["objective"], len(result["matches"])
        doc["bare"] = bare(url)
        b = doc["bare"]["median_s"]
        doc["ratios"] = {k: round(doc[k]["wall_s"] / b, 2) for k in ("first", "again")}
        doc["ratios"]["run_park"] = round(doc["first"]["run_park_total_s"] / b, 2)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    info(f"wastematch match --json, first run: {doc['first']['wall_s']} s ({doc['ratios']['first']}x the bare "
         f"pipeline, {b} s), again: {doc['again']['wall_s']} s ({doc['ratios']['again']}x); run_park "
         f"{doc['first']['run_park_total_s']} s ({doc['ratios']['run_park']}x); first run's stages {doc['first']}; "
         f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
