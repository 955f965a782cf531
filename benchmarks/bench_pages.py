"""Page response times on the demo park: every main page, as an enterprise user and as a coordinator.

    .venv/bin/python benchmarks/bench_pages.py --repeats 20 --out benchmarks/results/pages.json

Builds the demo park (as ``wastematch demo`` does, without the HW-list PDF) in a temporary SQLite
database, signs in through the sign-in form with Flask's test client (no network, no browser: the
server's own time, templates included) and times each page ``--repeats`` times after one warm-up:
median, 90th percentile and max in milliseconds, with the response size. Target: every page's
median under 300 ms on the demo park (the park overview builds the year's report, the heaviest).
Writes one JSON document (``--out``, default stdout).
"""
from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

TARGET_MS = 300.0
ENTERPRISE_PAGES = ("/dashboard", "/listings", "/listings/new?kind=offer", "find-matches", "/matches", "/shipments",
                    "/ledger", "/notifications", "/lookup/codes?q=废矿物油", "/lookup/chemicals?q=67-64-1")
COORDINATOR_PAGES = ("/park", "/runs", "/approvals?status=approved", "/alerts", "/ledger/findings", "/ratings",
                     "/shipments", "/reports")


def build_demo(root: Path) -> str:
    """The demo park with its history and accounts, in ``root``; returns the database URL."""
    from marketplace.demo.park import create_demo_database

    return create_demo_database(root, actor="bench")


def signed_in_client(app, email: str):
    from marketplace.demo.accounts import DEMO_PASSWORD

    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").get_data(as_text=True)).group(1)
    res = client.post("/signin", data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token})
    assert res.status_code == 302, res.status_code
    return client


def find_matches_path(client) -> str:
    """The one-click matching page of the user's first listing that has partners to show."""
    html = client.get("/listings?per_page=100").get_data(as_text=True)
    for href in dict.fromkeys(re.findall(r'href="(/listings/\d+)"', html)):
        if 'class="card rec"' in client.get(href + "/matches").get_data(as_text=True):
            return href + "/matches"
    raise SystemExit("no listing of the user has partners to show")


def time_page(client, path: str, repeats: int) -> dict:
    client.get(path)  # warm-up: templates compiled, caches filled
    samples, size, status = [], 0, 0
    for _ in range(repeats):
        started = time.perf_counter()
        res = client.get(path)
        samples.append((time.perf_counter() - started) * 1000)
        size, status = len(res.get_data()), res.status_code
    samples.sort()
    return {"path": path, "status": status, "bytes": size, "median_ms": round(statistics.median(samples), 1),
            "p90_ms": round(samples[int(0.9 * (len(samples) - 1))], 1), "max_ms": round(samples[-1], 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    from web.app import create_app

    with tempfile.TemporaryDirectory(prefix="wm-bench-pages-") as tmp:
        started = time.perf_counter()
        url = build_demo(Path(tmp))
        print(f"demo park built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        app = create_app({"database_url": url, "instance_path": Path(tmp) / "instance", "secret_key": "bench"})
        rows = []
        for email, pages in (("e022@wastematch.example", ENTERPRISE_PAGES),
                             ("coord-ch@wastematch.example", COORDINATOR_PAGES)):
            client = signed_in_client(app, email)
            for lang in ("zh_CN", "en"):
                client.get(f"/lang/{lang}")
                for path in pages:
                    real = find_matches_path(client) if path == "find-matches" else path
                    row = {"user": email.split("@")[0], "lang": lang, **time_page(client, real, args.repeats)}
                    rows.append(row)
                    print(f"  {row['user']:9} {lang:5} {real:32} {row['median_ms']:7.1f} ms  (p90 {row['p90_ms']:.1f}, "
                          f"max {row['max_ms']:.1f}, {row['bytes']:,} B, {row['status']})", file=sys.stderr)
        app.extensions["wastematch.engine"].dispose()
    slowest = max(rows, key=lambda r: r["median_ms"])
    doc = {"benchmark": "pages", "repeats": args.repeats, "target_median_ms": TARGET_MS,
           "all_within_target": all(r["median_ms"] <= TARGET_MS and r["status"] == 200 for r in rows),
           "slowest": {k: slowest[k] for k in ("user", "lang", "path", "median_ms")}, "pages": rows,
           "machine": {"python": platform.python_version(), "platform": platform.platform()}}
    text = json.dumps(doc, ensure_ascii=False, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
        print(f"{len(rows)} page timings; slowest median {slowest['median_ms']} ms ({slowest['path']}); "
              f"written to {args.out}", file=sys.stderr)
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
