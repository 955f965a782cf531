"""Request latency of the API on the demo park, against a running server (see benchmarks/README.md).

    .venv/bin/python benchmarks/bench_api_latency.py --requests 200 --concurrency 4

Builds the demo database in a temporary directory (``wastematch demo --no-serve``: init, the
official HW list if its PDF is beside the repository, the demo park, park-wide matching, the
demo accounts), starts ``wastematch serve`` (waitress) on a free 127.0.0.1 port, signs in as
a demo enterprise user and a demo coordinator, and fires a bounded number of requests per
endpoint from a few threads (each with its own keep-alive connection):

* ``recommendations``: ``GET /api/v1/listings/<id>/recommendations?top=5``, rotating over
  the signed-in user's own listings (the coordinator: over the listings of their park);
* ``search_category``: ``GET /api/v1/listings?kind=offer&category=HW08``;
* ``search_distance``: ``GET /api/v1/listings?kind=offer&within_km=30`` (from the
  enterprise's own site; the coordinator adds ``near=`` the park's centre).

Reports, per endpoint and user, median / p95 / mean / max latency in milliseconds, requests per
second and errors (non-2xx or failed requests), first from one thread (``--sequential`` requests:
the service time) and then from ``--concurrency`` threads; writes one JSON document (``--out``)
and a summary on stderr. Each endpoint stops after ``--requests`` or ``--time-cap`` seconds,
whichever comes first; the server is always stopped at the end.
"""
from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.machine import machine as machine_record

HOST = "127.0.0.1"
# Demo accounts (marketplace/demo/accounts.py): an enterprise with six listings in CH.
ENTERPRISE_USER = "e038@wastematch.example"
COORDINATOR = "coord-ch@wastematch.example"
COORDINATED_PARK = "CH"


def info(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wastematch(*args: str) -> list[str]:
    """The ``wastematch`` command line run by this interpreter (no reliance on PATH)."""
    return [sys.executable, "-c", "import sys; from web.cli import main; sys.exit(main())", *args]


class Client:
    """One keep-alive HTTP connection to the server (one per thread)."""

    def __init__(self, port: int, token: str | None = None, timeout: float = 60.0) -> None:
        self.port, self.token, self.timeout = port, token, timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        status, _headers, raw = self.exchange(method, path, headers, data)
        return status, (json.loads(raw) if raw else None)

    def exchange(self, method: str, path: str, headers: dict[str, str],
                 data: bytes | None) -> tuple[int, dict[str, str], bytes]:
        """One request on the keep-alive connection: status, headers (lower-case names) and body."""
        for attempt in (1, 2):  # a keep-alive connection the server closed is reopened once
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=data, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
            except (ConnectionError, http.client.HTTPException):
                self.close()
                if attempt == 2:
                    raise
                continue
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, raw
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Series:
    """Latencies and errors of one endpoint for one user."""

    name: str
    user: str
    paths: list[str]
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    capped: bool = False
    result_sizes: list[int] = field(default_factory=list)  # items or recommendations per answer (warm-up)

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)
        n = len(lat)

        def pct(p: float) -> float | None:
            return round(statistics.quantiles(lat, n=100, method="inclusive")[int(p) - 1], 2) if n >= 2 else (
                round(lat[0], 2) if n else None)

        return {"user": self.user, "example_path": self.paths[0], "distinct_paths": len(set(self.paths)),
                "requests": n + len(self.errors), "ok": n, "errors": len(self.errors),
                "error_examples": sorted(set(self.errors))[:5],
                "median_ms": round(statistics.median(lat), 2) if n else None, "p95_ms": pct(95),
                "mean_ms": round(statistics.fmean(lat), 2) if n else None,
                "min_ms": round(lat[0], 2) if n else None, "max_ms": round(lat[-1], 2) if n else None,
                "results_per_answer": [min(self.result_sizes, default=0), max(self.result_sizes, default=0)],
                "wall_s": round(self.wall_s, 2),
                "requests_per_s": round((n + len(self.errors)) / self.wall_s, 1) if self.wall_s else None,
                "time_capped": self.capped}


def fire(series: Series, port: int, token: str, requests: int, concurrency: int, time_cap: float,
         warmup: int) -> None:
    """``requests`` GETs over ``series.paths`` from ``concurrency`` threads, stopping at ``time_cap`` seconds."""
    warm = Client(port, token)
    for path in itertools.islice(itertools.cycle(series.paths), max(warmup, 1)):
        _, body = warm.request("GET", path)
        body = body or {}
        series.result_sizes.append(body["total"] if "total" in body else len(body.get("recommendations", [])))
    warm.close()
    counter = itertools.count()
    lock = threading.Lock()
    deadline = time.perf_counter() + time_cap

    def worker() -> None:
        client = Client(port, token)
        try:
            while True:
                i = next(counter)  # itertools.count is atomic under the GIL
                if i >= requests:
                    return
                if time.perf_counter() > deadline:
                    series.capped = True
                    return
                path = series.paths[i % len(series.paths)]
                started = time.perf_counter()
                try:
                    status, body = client.request("GET", path)
                except Exception as exc:  # noqa: BLE001 - counted as an error, the run goes on
                    with lock:
                        series.errors.append(f"{type(exc).__name__}: {exc}"[:200])
                    continue
                elapsed = (time.perf_counter() - started) * 1000
                with lock:
                    if 200 <= status < 300:
                        series.latencies_ms.append(elapsed)
                    else:
                        series.errors.append(f"{status}: {(body or {}).get('message', '')}"[:200])
        finally:
            client.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(time_cap + 120)
    series.wall_s = time.perf_counter() - started


def sign_in(port: int, email: str, password: str) -> str:
    status, body = Client(port).request("POST", "/api/v1/auth/token", {"email": email, "password": password,
                                                                        "label": "bench_api_latency"})
    if status != 201:
        raise SystemExit(f"cannot sign in as {email}: {status} {body}")
    return body["token"]


def listing_ids(port: int, token: str, query: str) -> list[int]:
    status, body = Client(port, token).request("GET", f"/api/v1/listings?{query}&per_page=100")
    if status != 200:
        raise SystemExit(f"cannot list listings ({query}): {status} {body}")
    return [item["id"] for item in body["items"]]


def park_centre(code: str) -> tuple[float, float]:
    doc = json.loads((REPO / "marketplace" / "demo" / "demo_park.json").read_text(encoding="utf-8"))
    park = next(p for p in doc["parks"] if p["code"] == code)
    return park["lat"], park["lon"]


def wait_until_up(server: subprocess.Popen, port: int, timeout: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode} before answering")
        try:
            status, _ = Client(port, timeout=2).request("GET", "/healthz")
            if status == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server did not answer /healthz within {timeout:.0f} s")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)


def machine() -> dict[str, Any]:
    """The machine record with the versions of the web stack (also top-level, as earlier documents have them)."""
    record = machine_record("flask", "flask-smorest", "sqlalchemy", "waitress")
    return {**record, **record["versions"]}


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="Requests per endpoint and user (default 200).")
    parser.add_argument("--concurrency", type=int, default=4, help="Client threads (default 4).")
    parser.add_argument("--time-cap", type=float, default=60.0, help="Seconds per endpoint and user at most.")
    parser.add_argument("--sequential", type=int, default=50,
                        help="First, this many requests per series from one thread (0: skip; default 50).")
    parser.add_argument("--warmup", type=int, default=10, help="Uncounted requests first (default 10).")
    parser.add_argument("--db", default=None, help="An EMPTY database URL to build the demo in "
                                                   "(default: SQLite in a temporary directory).")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "api_latency.json")
    args = parser.parse_args(argv)

    from marketplace.demo.accounts import DEMO_PASSWORD

    tmp = tempfile.TemporaryDirectory(prefix="wm-api-bench-")
    url = args.db or f"sqlite:///{Path(tmp.name) / 'wastematch.sqlite3'}"
    env = {**os.environ, "WASTEMATCH_INSTANCE_PATH": tmp.name, "PYTHONPATH": str(REPO),
           "WASTEMATCH_SECRET_KEY": "bench-api-latency-session-key-0123456789"}  # `serve` requires one
    started = time.perf_counter()
    info(f"building the demo database ({'given URL' if args.db else tmp.name}) …")
    built = subprocess.run(wastematch("--db", url, "demo", "--no-serve"), cwd=REPO, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=900)
    if built.returncode != 0:
        info(built.stderr[-3000:])
        return 1
    setup_s = time.perf_counter() - started

    port = free_port()
    log = open(Path(tmp.name) / "server.log", "w+", encoding="utf-8")
    server = subprocess.Popen(wastematch("--db", url, "serve", "--host", HOST, "--port", str(port)), cwd=REPO,
                              env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    # Stop the server whatever happens, Ctrl-C and SIGTERM included.
    signal.signal(signal.SIGTERM, _interrupt)
    results: dict[str, Any] = {}
    try:
        startup_s = wait_until_up(server, port, timeout=60)
        info(f"server up on http://{HOST}:{port}/ after {startup_s:.1f} s (demo built in {setup_s:.1f} s)")
        tokens = {"enterprise": sign_in(port, ENTERPRISE_USER, DEMO_PASSWORD),
                  "coordinator": sign_in(port, COORDINATOR, DEMO_PASSWORD)}
        own = listing_ids(port, tokens["enterprise"], "mine=true")
        parks = listing_ids(port, tokens["coordinator"], f"park={COORDINATED_PARK}&status=active")[:20]
        if not own or not parks:
            raise SystemExit(f"no listings to ask recommendations for (own {own}, park {parks})")
        lat, lon = park_centre(COORDINATED_PARK)
        plan = [
            ("recommendations", "enterprise", [f"/api/v1/listings/{i}/recommendations?top=5" for i in own]),
            ("recommendations", "coordinator", [f"/api/v1/listings/{i}/recommendations?top=5" for i in parks]),
            ("search_category", "enterprise", ["/api/v1/listings?kind=offer&category=HW08"]),
            ("search_category", "coordinator", ["/api/v1/listings?kind=offer&category=HW08"]),
            ("search_distance", "enterprise", ["/api/v1/listings?kind=offer&within_km=30"]),
            ("search_distance", "coordinator", [f"/api/v1/listings?kind=offer&near={lat},{lon}&within_km=30"]),
        ]
        passes = [("results", args.concurrency, args.requests)]
        if args.sequential:
            passes.insert(0, ("sequential", 1, args.sequential))
        for key, threads, requests in passes:
            info(f"-- {requests} requests per series from {threads} thread(s)")
            for name, user, paths in plan:
                series = Series(name, user, paths)
                fire(series, port, tokens[user], requests, threads, args.time_cap, args.warmup)
                summary = series.summary()
                results.setdefault(key, {}).setdefault(name, {})[user] = summary
                info(f"{name:16s} {user:11s} median {summary['median_ms']} ms  p95 {summary['p95_ms']} ms  "
                     f"max {summary['max_ms']} ms  {summary['ok']}/{summary['requests']} ok  "
                     f"{summary['requests_per_s']} req/s" + ("  (time-capped)" if summary["time_capped"] else ""))
                for example in summary["error_examples"]:
                    info(f"    error: {example}")
    except KeyboardInterrupt:
        info("interrupted")
        return 130
    finally:
        stop(server)
        log.seek(0)
        server_log = log.read()
        log.close()
        tmp.cleanup()

    doc = {"benchmark": "api_latency", "database": "sqlite (temporary file)" if not args.db else "given URL",
           "server": "wastematch serve (waitress, 8 threads), 127.0.0.1",
           "client": {"threads": args.concurrency, "keep_alive": True, "requests_per_series": args.requests,
                      "sequential_requests_per_series": args.sequential, "warmup_per_series": args.warmup,
                      "time_cap_s": args.time_cap},
           "users": {"enterprise": f"{ENTERPRISE_USER} (E-038, {len(own)} listings)",
                     "coordinator": f"{COORDINATOR} (park {COORDINATED_PARK}, {len(parks)} listings rotated)"},
           "demo_setup_s": round(setup_s, 1), "server_startup_s": round(startup_s, 2),
           "machine": machine(), "results": results.get("results", {}), "sequential": results.get("sequential", {}),
           "server_errors_logged": server_log.count("unhandled error")}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    info(f"wrote {args.out}")
    failed = sum(s["errors"] for by_name in results.values() for per_user in by_name.values()
                 for s in per_user.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
