"""Load on the production configuration: PostgreSQL, several worker processes, 8 and 32 concurrent clients.

    .venv/bin/python benchmarks/bench_load.py                       # writes benchmarks/results/load.json
    .venv/bin/python benchmarks/bench_load.py --workers 1 --clients 8 --scenarios mix --duration 10 --out /tmp/q.json

Builds the demo park once (``wastematch demo --no-serve``) in a scratch PostgreSQL database on the server of
``--pg`` (default ``WASTEMATCH_TEST_DATABASE_URL``), and for every worker count copies it
(``CREATE DATABASE … TEMPLATE``) so each server starts from the same data whatever the writes before did.
The server is ``wastematch serve --workers N`` when the command has that option, else gunicorn on the app
factory (``web.app:create_app()``, gthread workers); either way with a fixed secret key, the database URL and a
data folder from the environment, as an operator would run it. Demo users sign in once per server (the pages
through the sign-in form, the writes through API tokens) and every client thread shares their sessions.

Each scenario is closed-loop: ``--clients`` threads, each with its own keep-alive connection, send the next
request as soon as the last one is answered, for ``--warmup`` uncounted seconds and then ``--duration`` counted
seconds. Scenarios:

* ``listings``: the listings page (``/listings``) of two enterprises;
* ``recommendations``: the one-click page of an enterprise's own listing (``/listings/<id>/matches``);
* ``dashboard``: the enterprise dashboard (``/dashboard``) of two enterprises;
* ``park``: the coordinator's park overview (``/park``);
* ``mix``: all of the above plus writes, in fixed proportions (``MIX``): post a listing (API), accept a match
  awaiting the user's answer (API), acknowledge an open alert (API). Accepts come from a finite pool (the demo's
  proposed matches awaiting the user); once it is used up such a turn acknowledges an alert instead (alerts may
  be acknowledged again), so the share of new listings stays as set; the JSON counts what was actually done.

An answer other than 2xx, or a failed connection, is an error. Reported per scenario and per kind of request:
requests, errors, req/s, p50/p95/p99 and max in ms; the client threads run on the same machine as the server
(they take a share of its two cores, so the figures are conservative).
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy.engine import make_url

from benchmarks.bench_api_latency import HOST, free_port, info, machine, stop, wait_until_up, wastematch
from benchmarks.bench_api_latency import Client as ApiClient

# The test suite's scratch databases (created beside the URL's, dropped at the end): the same need here.
from tests.conftest import PostgresScratch

TARGET_P95_MS = 300.0
SECRET_KEY = "bench-load-" + "0" * 32  # fixed: the workers must share it, as in production
PAGE_USERS = ("e022@wastematch.example", "e039@wastematch.example", "coord-ch@wastematch.example")
ENTERPRISES = ("e022@wastematch.example", "e039@wastematch.example", "e038@wastematch.example",
               "e056@wastematch.example", "e060@wastematch.example")
COORDINATOR = "coord-ch@wastematch.example"
# The mixed load: how many of every 100 requests are of each kind (reads as users browse, writes as they work).
# A new listing changes what one-click matches against, so each one costs a rebuild of the warm recommender
# (~70 ms of CPU on the demo park on PostgreSQL; one worker fits, the others load it): 2 % posts at 40 req/s is still ~70,000 new listings a day,
# far above a park's real rate, while accepts and acknowledgements (which leave the recommender warm) are 10 %.
# The park overview (the costliest page: it builds the year's report) is a coordinator's page, a park has one or
# two coordinators to its dozens of enterprise users: 4 %.
MIX = {"listings": 30, "recommendations": 27, "dashboard": 27, "park": 4,
       "post_listing": 2, "accept_match": 5, "acknowledge_alert": 5}
SCENARIOS = ("listings", "recommendations", "dashboard", "park", "mix")
NEW_OFFER = {"kind": "offer", "title": "Spent solvent (load test)", "title_zh": "废有机溶剂（压测）",
             "waste_code": "900-402-06", "form": "liquid", "quantity_t": 40,
             "composition": [{"name": "toluene", "cas": "108-88-3", "fraction": 0.7}]}


class Client(ApiClient):
    """One keep-alive connection; sends a session cookie or a bearer token as told."""

    def __init__(self, port: int, timeout: float = 60.0) -> None:
        super().__init__(port, timeout=timeout)

    def request(self, method: str, path: str, *, cookie: str | None = None, token: str | None = None,
                body: Any = None, form: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        headers = {"Accept": "application/json" if path.startswith("/api/") else "text/html"}
        if cookie:
            headers["Cookie"] = cookie
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        elif form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return self.exchange(method, path, headers, data)


def page_cookie(port: int, email: str, password: str) -> str:
    """Sign in through the sign-in form; the session cookie (``name=value``)."""
    client = Client(port)
    status, headers, raw = client.request("GET", "/signin")
    cookie = headers.get("set-cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', raw.decode()).group(1)
    status, headers, raw = client.request("POST", "/signin", cookie=cookie,
                                          form={"email": email, "password": password, "csrf_token": token})
    client.close()
    if status != 302 or "set-cookie" not in headers:
        raise SystemExit(f"cannot sign in on the pages as {email}: {status}")
    return headers["set-cookie"].split(";")[0]


def api_token(port: int, email: str, password: str) -> str:
    status, _, raw = Client(port).request("POST", "/api/v1/auth/token",
                                          body={"email": email, "password": password, "label": "bench_load"})
    if status != 201:
        raise SystemExit(f"cannot sign in on the API as {email}: {status} {raw[:200]!r}")
    return json.loads(raw)["token"]


def api_get(port: int, token: str, path: str) -> Any:
    status, _, raw = Client(port).request("GET", path, token=token)
    if status != 200:
        raise SystemExit(f"GET {path}: {status} {raw[:200]!r}")
    return json.loads(raw)


@dataclass
class Plan:
    """What the clients ask for: sessions, tokens, the paths of each read and the pools of the writes."""

    cookies: dict[str, str]
    tokens: dict[str, str]
    reads: dict[str, list[tuple[str, str]]]  # scenario -> [(user, path)]
    matches: list[tuple[str, int]]  # (user, match id) awaiting that user's accept
    alerts: list[int]  # acknowledged in turn, again and again
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, pool: list) -> Any:
        with self.lock:
            return pool.pop() if pool else None


def make_plan(port: int, password: str) -> Plan:
    cookies = {email: page_cookie(port, email, password) for email in PAGE_USERS}
    tokens = {email: api_token(port, email, password) for email in (*ENTERPRISES, COORDINATOR)}
    one_click = []
    for email in PAGE_USERS[:2]:
        own = api_get(port, tokens[email], "/api/v1/listings?mine=true&status=active&per_page=100")["items"]
        one_click += [(email, f"/listings/{item['id']}/matches") for item in own]
    matches = []
    for email in ENTERPRISES:
        items = api_get(port, tokens[email], "/api/v1/matches?status=proposed&per_page=100")["items"]
        matches += [(email, m["id"]) for m in items if m.get("your_side") and not m[f"{m['your_side']}_accepted"]]
    # A match proposed to two of the users is accepted by one of them only (the other turn finds it taken).
    matches = list({match_id: (email, match_id) for email, match_id in matches}.values())
    alerts = [a["id"] for a in api_get(port, tokens[COORDINATOR], "/api/v1/alerts?per_page=100")["items"]
              if a["status"] != "cleared"]
    reads = {"listings": [(email, "/listings") for email in PAGE_USERS[:2]],
             "recommendations": one_click,
             "dashboard": [(email, "/dashboard") for email in PAGE_USERS[:2]],
             "park": [(COORDINATOR, "/park")]}
    if not one_click:
        raise SystemExit("no own listings to open the one-click page of")
    return Plan(cookies, tokens, reads, matches, alerts)


@dataclass
class Tally:
    """Latencies and errors per kind of request."""

    latencies_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, error: str | None) -> None:
        with self.lock:
            self.latencies_ms.setdefault(kind, [])
            self.errors.setdefault(kind, [])
            (self.errors[kind].append(error) if error else self.latencies_ms[kind].append(ms))


def summary(latencies: list[float], errors: list[str], wall_s: float) -> dict[str, Any]:
    lat = sorted(latencies)
    n = len(lat)
    cuts = statistics.quantiles(lat, n=100, method="inclusive") if n >= 2 else [lat[0] if n else None] * 99
    return {"requests": n + len(errors), "errors": len(errors), "error_examples": sorted(set(errors))[:5],
            "req_per_s": round((n + len(errors)) / wall_s, 1) if wall_s else None,
            "p50_ms": round(cuts[49], 1) if n else None, "p95_ms": round(cuts[94], 1) if n else None,
            "p99_ms": round(cuts[98], 1) if n else None, "max_ms": round(lat[-1], 1) if n else None}


def one_request(client: Client, plan: Plan, kind: str, i: int) -> tuple[str, int, bytes]:
    """Send the i-th request of ``kind``; returns the kind actually done, the status and the body."""
    if kind in plan.reads:
        email, path = plan.reads[kind][i % len(plan.reads[kind])]
        status, _, raw = client.request("GET", path, cookie=plan.cookies[email])
        return kind, status, raw
    if kind == "accept_match" and (taken := plan.take(plan.matches)):
        email, match_id = taken
        status, _, raw = client.request("POST", f"/api/v1/matches/{match_id}/decisions", token=plan.tokens[email],
                                        body={"action": "accept", "confirm": True})
        return kind, status, raw
    if kind in ("accept_match", "acknowledge_alert") and plan.alerts:
        # An acknowledged alert may be acknowledged again (the note is replaced): this pool never runs out.
        alert_id = plan.alerts[i % len(plan.alerts)]
        status, _, raw = client.request("POST", f"/api/v1/alerts/{alert_id}/acknowledge",
                                        token=plan.tokens[COORDINATOR], body={"note": "seen (load test)"})
        return "acknowledge_alert", status, raw
    email = ENTERPRISES[i % 2]
    body = {**NEW_OFFER, "title": f"{NEW_OFFER['title']} {uuid.uuid4().hex[:8]}"}
    status, _, raw = client.request("POST", "/api/v1/listings", token=plan.tokens[email], body=body)
    return "post_listing", status, raw


def _server_processes(pid: int) -> list[Any]:
    """The server process and its workers (psutil)."""
    import psutil

    root = psutil.Process(pid)
    return [root, *root.children(recursive=True)]


def server_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by the server process and its workers."""
    import psutil

    total = 0.0
    for proc in _server_processes(pid):
        try:
            times = proc.cpu_times()
        except psutil.Error:  # a worker that exited between the listing and the read
            continue
        total += times.user + times.system
    return total


def server_rss_mb(pid: int) -> float:
    """The largest resident size among the server's processes, in MB."""
    import psutil

    sizes = []
    for proc in _server_processes(pid):
        try:
            sizes.append(proc.memory_info().rss)
        except psutil.Error:
            continue
    return round(max(sizes) / 1e6, 1)


def drive(port: int, plan: Plan, scenario: str, clients: int, warmup_s: float, duration_s: float,
          server_pid: int | None = None) -> dict[str, Any]:
    """``clients`` closed-loop threads for warm-up plus duration seconds; the counted part summarised.

    With ``server_pid``, also the server's CPU per counted request (its processes' CPU time over the counted
    part): what the requests cost, read apart from how busy the machine was (latency is not)."""
    if scenario == "mix":
        kinds = [kind for kind, weight in MIX.items() for _ in range(weight)]
        random.Random(18).shuffle(kinds)
    else:
        kinds = [scenario]
    tally = Tally()
    start_at = time.perf_counter() + warmup_s
    stop_at = start_at + duration_s
    counter = itertools.count()

    def worker(offset: int) -> None:
        client = Client(port)
        try:
            while (now := time.perf_counter()) < stop_at:
                i = next(counter)
                kind = kinds[(i + offset) % len(kinds)]
                try:
                    done, status, raw = one_request(client, plan, kind, i)
                    error = None if 200 <= status < 300 else f"{status}: {raw[:120].decode(errors='replace')}"
                except Exception as exc:  # noqa: BLE001 - counted as an error, the run goes on
                    done, error = kind, f"{type(exc).__name__}: {exc}"[:200]
                finished = time.perf_counter()
                if now >= start_at and finished <= stop_at:
                    tally.add(done, (finished - now) * 1000, error)
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(n * 7,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    cpu = []
    if server_pid is not None:
        for at in (start_at, stop_at):
            time.sleep(max(0.0, at - time.perf_counter()))
            cpu.append(server_cpu_s(server_pid))
    for t in threads:
        t.join(warmup_s + duration_s + 120)
    every = [ms for series in tally.latencies_ms.values() for ms in series]
    all_errors = [e for series in tally.errors.values() for e in series]
    # Other work on the machine shows here (the clients run on it too): read the figures with it.
    counted = len(every) + len(all_errors)
    per_request = {"server_cpu_ms_per_request": round(1000 * (cpu[1] - cpu[0]) / counted, 2),
                   "server_max_rss_mb": server_rss_mb(server_pid)} if cpu and counted and server_pid else {}
    return {"clients": clients, "loadavg_1min_after": round(os.getloadavg()[0], 2), **per_request,
            **summary(every, all_errors, duration_s),
            "by_kind": {kind: summary(tally.latencies_ms[kind], tally.errors[kind], duration_s)
                        for kind in sorted(tally.latencies_ms)}}


def server_command(port: int, workers: int, url: str, threads: int | None = None) -> tuple[list[str], str]:
    """``wastematch serve --workers N`` (``--threads T`` if given, else its default) where it exists, else
    gunicorn on the app factory."""
    helptext = subprocess.run(wastematch("serve", "--help"), cwd=REPO, capture_output=True, text=True,
                              check=False).stdout
    if "--workers" in helptext:
        more = ["--threads", str(threads)] if threads else []
        return (wastematch("--db", url, "serve", "--host", HOST, "--port", str(port), "--workers", str(workers),
                           *more), f"wastematch serve --workers {workers}" + (f" --threads {threads}" if threads else ""))
    return ([sys.executable, "-m", "gunicorn", "--workers", str(workers), "--worker-class", "gthread",
             "--threads", str(threads or 4), "--bind", f"{HOST}:{port}", "web.app:create_app()"],
            f"gunicorn --workers {workers} --worker-class gthread --threads {threads or 4} web.app:create_app()")


def serve_and_drive(command: list[str], server_name: str, url: str, port: int, workers: int, clients: int,
                    scenarios: list[str], args: argparse.Namespace, env: dict[str, str], log: Any) -> list[dict]:
    """Start the server, sign in, drive every scenario at ``clients``; the runs. The server is always stopped."""
    from marketplace.demo.accounts import DEMO_PASSWORD

    runs = []
    server = subprocess.Popen(command, cwd=REPO, env={**env, "WASTEMATCH_DATABASE_URL": url},
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        startup_s = wait_until_up(server, port, timeout=90)
        plan = make_plan(port, DEMO_PASSWORD)
        info(f"{server_name}: up in {startup_s:.1f} s; {clients} clients; pools: "
             f"{len(plan.matches)} matches to accept, {len(plan.alerts)} alerts to acknowledge")
        for scenario in scenarios:
            result = drive(port, plan, scenario, clients, args.warmup, args.duration, server_pid=server.pid)
            runs.append({"workers": workers, "scenario": scenario, **result})
            info(f"  {workers} worker(s) {clients:2d} clients {scenario:15s} {result['req_per_s']:6.1f} req/s"
                 f"  p50 {result['p50_ms']} p95 {result['p95_ms']} p99 {result['p99_ms']} ms"
                 f"  errors {result['errors']}/{result['requests']}"
                 + (f"  server CPU {result['server_cpu_ms_per_request']} ms/request,"
                    f" largest process {result['server_max_rss_mb']} MB"
                    if "server_cpu_ms_per_request" in result else ""))
            for example in result["error_examples"]:
                info(f"      error: {example[:160]}")
    finally:
        stop(server)
        log.seek(0)
        text = log.read()
        if "Traceback" in text:
            info(f"  the server logged tracebacks:\n{text[-2000:]}")
    return runs


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", default=os.environ.get("WASTEMATCH_TEST_DATABASE_URL",
                                                       "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
                        help="a PostgreSQL URL whose server may get scratch databases (dropped at the end)")
    parser.add_argument("--workers", type=ints, default=[1, 2], help="worker processes, comma-separated (1,2)")
    parser.add_argument("--clients", type=ints, default=[8, 32], help="concurrent clients, comma-separated (8,32)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=f"comma-separated of {', '.join(SCENARIOS)}")
    parser.add_argument("--threads", type=int, default=None, help="threads per worker (default: the server's own)")
    parser.add_argument("--duration", type=float, default=15.0, help="counted seconds per scenario (15)")
    parser.add_argument("--warmup", type=float, default=5.0,
                        help="uncounted seconds first (5: every worker builds its recommender once)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "load.json")
    args = parser.parse_args(argv)
    scenarios = [s for s in args.scenarios.split(",") if s]
    unknown = set(scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")

    signal.signal(signal.SIGTERM, _interrupt)
    scratch = PostgresScratch(args.pg)
    tmp = tempfile.TemporaryDirectory(prefix="wm-load-bench-")
    env = {**os.environ, "WASTEMATCH_INSTANCE_PATH": tmp.name, "PYTHONPATH": str(REPO),
           "WASTEMATCH_SECRET_KEY": SECRET_KEY}
    runs: list[dict[str, Any]] = []
    server_name = ""
    try:
        started = time.perf_counter()
        template_url = scratch.new_url()
        template = make_url(template_url).database
        info(f"building the demo park in PostgreSQL database {template} …")
        built = subprocess.run(wastematch("--db", template_url, "demo", "--no-serve"), cwd=REPO,
                               check=False, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=900)
        if built.returncode != 0:
            info(built.stderr[-3000:])
            return 1
        info(f"demo built in {time.perf_counter() - started:.1f} s")
        for workers in args.workers:
            for clients in args.clients:
                url = scratch.new_url(template=template)  # the same data for every server
                port = free_port()
                command, server_name = server_command(port, workers, url, args.threads)
                with open(Path(tmp.name) / f"server-{workers}-{clients}.log", "w+", encoding="utf-8") as log:
                    runs += serve_and_drive(command, server_name, url, port, workers, clients, scenarios, args, env, log)
    except KeyboardInterrupt:
        info("interrupted")
        return 130
    finally:
        scratch.drop_all()
        tmp.cleanup()

    mix8 = [r for r in runs if r["scenario"] == "mix" and r["clients"] == 8]
    doc = {"benchmark": "load", "database": "postgresql (scratch copy of the demo park per server)",
           "server": server_name.rsplit(" ", 1)[0] if server_name else None, "host": HOST,
           "client": {"closed_loop": True, "keep_alive": True, "warmup_s": args.warmup, "duration_s": args.duration,
                      "same_machine": True},
           "mix": MIX, "target": {"scenario": "mix", "clients": 8, "p95_ms": TARGET_P95_MS, "errors": 0},
           "target_met": {str(r["workers"]): r["p95_ms"] is not None and r["p95_ms"] <= TARGET_P95_MS
                          and r["errors"] == 0 for r in mix8},
           "machine": machine(), "runs": runs}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    info(f"wrote {args.out}")
    return 0 if all(r["errors"] == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
