"""Chemical governance at city scale: a survey of 5,000 enterprises × 20 substances, checked, accepted and rostered.

    .venv/bin/python benchmarks/bench_governance.py --repeats 3 --out benchmarks/results/governance.json
    .venv/bin/python benchmarks/bench_governance.py --repeats 1 --db postgresql+psycopg://postgres@127.0.0.1:5432/test

Builds a *base* database once, through the services users call (an SQLite file in a temporary directory, or a
scratch database created on the server of ``--db`` and dropped at the end):

1. a generated ``wastematch.v1`` document (``interchange.import_document``): ``--enterprises`` enterprises in
   ``--parks`` parks (real park anchors of ``benchmarks.generate``), one in ten with an offer whose composition
   comes from the generator's real CAS numbers, a third of those carrying a controlled substance (PFOS, PCB,
   dichloromethane) that the enterprise may not declare (``undeclared_controlled``);
2. ledgers for ``--ledger-share`` of the enterprises (``ledger.import_entries``): a ``consumed`` batch of each
   substance they declare as used, within 10 % of the declaration but one 50 % off (``ledger_mismatch``);
3. accepted declarations of the previous year for ``--previous-share`` of them (``survey_files.import_survey``,
   then ``surveys.accept`` one by one), the same substances, so that about 5 % of their rows this year are
   10–20 × larger or smaller (``magnitude_change``).

Then generates the ``wastematch.survey.v1`` document of the year: every enterprise declares ``--substances``
distinct substances (roles use/produce/byproduct/release/import; mostly ordinary chemicals, priority-list
chemicals among them; ``--controlled-share`` of the enterprises declare one or two key controlled new pollutants
in a permitted role — dichloromethane as an extraction solvent, chloroform, nonylphenol, dioxins as by-product
or release, MCCP, chlorpyrifos; ``--banned`` of them declare a prohibited use — HBCDD in EPS, PFOS, decaBDE).

Each repeat starts from a copy of the base (a file copy; on PostgreSQL ``CREATE DATABASE … TEMPLATE``) and times,
each in its own transaction, commit included:

* ``validate_s``: ``survey_files.validate_survey`` alone (schema, enterprises, accepted conflicts), rolled back;
* ``import_s``: ``survey_files.import_survey`` — validation, rows, quality checks, audit, notices — one
  transaction, all or nothing;
* ``checks_s``: ``survey_checks.run_checks_many`` over every declaration of the year again, alone (read only);
* ``accept_s``: ``surveys.accept`` called once per declaration (the service path a coordinator clicks: no bulk
  path exists), all in one transaction;
* ``roster_s``: ``roster.compute_roster`` for the year over every park (first computation: entries,
  obligations, audit, the banned_use/obligation_overdue alerts); ``roster_again_s``: the same with nothing
  changed; ``roster_rows_s``: ``roster.roster_rows`` (what the CLI and API print);
* ``cli_roster_s``: ``wastematch --db URL roster --year Y --json`` as a subprocess (start-up included).

Writes one JSON document (``--out``, default stdout): medians and every run, counts (declarations, rows,
findings by code, roster entries, violations, alerts), the machine and the sha1 of the governance modules.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import io
import json
import os
import pstats
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlalchemy.orm import Session, selectinload  # noqa: E402

from benchmarks.generate import PARK_ANCHORS, PARK_RADIUS_DEG, S  # noqa: E402
from benchmarks.machine import machine as machine_record
from catalog.control_lists import controlled_by_cas  # noqa: E402
from marketplace.db import make_engine, upgrade_schema  # noqa: E402
from marketplace.models import (  # noqa: E402
    Alert,
    LedgerEntry,
    Notification,
    Obligation,
    RosterEntry,
    SurveyDeclaration,
    SurveySubstance,
)
from marketplace.services.accounts.users import system_principal  # noqa: E402
from marketplace.services.catalog.reference import load_builtin_catalog  # noqa: E402
from marketplace.services.governance import roster, survey_checks, survey_files, surveys  # noqa: E402
from marketplace.services.listings.interchange import import_document  # noqa: E402
from marketplace.services.traceability import ledger  # noqa: E402

GOVERNANCE_MODULES = tuple(f"marketplace/services/governance/{m}.py"
                           for m in ("surveys", "survey_checks", "survey_files", "roster")) + ("catalog/measures.py",)
TRADE_NAMES = "华恒盛泰鑫源新达丰远海润瑞宏嘉联安利通德振兴隆昌宇科森凯邦"
ROLES = ("use", "use", "use", "use", "use", "produce", "produce", "byproduct", "release", "release", "import")
USES = ("溶剂 solvent", "清洗剂 cleaning agent", "反应原料 reactant", "催化剂 catalyst", "pH调节 pH control",
        "萃取剂 extraction solvent", "助剂 processing aid", "电镀 electroplating", "涂料 coatings", "水处理 water treatment")
# Key controlled new pollutants in a role their measure permits: on the roster, no violation.
PERMITTED = (
    ("75-09-2", "二氯甲烷", "use", "萃取溶剂 extraction solvent"),
    ("67-66-3", "三氯甲烷", "use", "反应溶剂 reaction solvent"),
    ("25154-52-3", "壬基酚", "use", "酚醛树脂中间体 resin intermediate"),
    ("1746-01-6", "二噁英", "byproduct", "焚烧副产 incineration by-product"),
    ("1746-01-6", "二噁英", "release", ""),
    ("85535-85-9", "中链氯化石蜡", "use", "PVC增塑剂 PVC plasticiser"),
    ("2921-88-2", "毒死蜱", "produce", ""),
)
# Prohibited in the survey year: a banned_use violation each.
BANNED = (
    ("25637-99-4", "六溴环十二烷 HBCDD", "use", "EPS阻燃剂 EPS flame retardant"),
    ("1763-23-1", "全氟辛基磺酸 PFOS", "use", "镀铬抑雾剂 chrome plating mist suppressant"),
    ("1163-19-5", "十溴二苯醚 decaBDE", "use", "阻燃剂 flame retardant"),
)
TRACE_CONTROLLED = ("pfos", "pcb", "dcm")  # in offers' compositions


def info(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def machine() -> dict:
    """The machine record with the versions of the database layer."""
    return machine_record("sqlalchemy", "marshmallow", "psycopg")


def code_fingerprint() -> dict:
    """sha1 (first 12 hex) of each governance module measured: the code may change under the benchmark."""
    return {p: hashlib.sha1((REPO / p).read_bytes()).hexdigest()[:12] for p in GOVERNANCE_MODULES if (REPO / p).exists()}


# --- the generated world ---------------------------------------------------------------------------------------

def ordinary_pool() -> list[tuple[str, str]]:
    """(CAS, name) of the generator's substances that put nobody on the roster (priority-list ones included)."""
    out = []
    for cas, _en, zh in S.values():
        if not any(set(s.lists) & {"cn_new_pollutants_2023", "stockholm"} for s in controlled_by_cas(cas)):
            out.append((cas, zh))
    return out


def park_document(n_enterprises: int, n_parks: int, rng: random.Random) -> tuple[dict, list[str]]:
    """A ``wastematch.v1`` document: parks, enterprises and one offer per ten enterprises."""
    anchors = PARK_ANCHORS[:n_parks]
    parks = [{"code": a[0], "name": a[1], "name_en": a[2], "province": a[3], "lat": a[5], "lon": a[6]}
             for a in anchors]
    enterprises, listings, refs = [], [], []
    pool = ordinary_pool()
    for i in range(n_enterprises):
        a = anchors[i % len(anchors)]
        ref = f"G{i + 1:05d}"
        refs.append(ref)
        enterprises.append({"ref": ref, "park": a[0], "province": a[3],
                            "name": f"{rng.choice(TRADE_NAMES)}{rng.choice(TRADE_NAMES)}化工有限公司 {ref}",
                            "lat": round(a[5] + rng.gauss(0, PARK_RADIUS_DEG), 5),
                            "lon": round(a[6] + rng.gauss(0, PARK_RADIUS_DEG), 5)})
        if i % 10 == 3:
            comp = [{"cas": cas, "name": name, "fraction": 0.2} for cas, name in rng.sample(pool, 3)]
            if rng.random() < 0.33:
                cas, _en, zh = S[rng.choice(TRACE_CONTROLLED)]
                comp.append({"cas": cas, "name": zh, "fraction": 0.01})
            listings.append({"ref": f"O-{ref}", "kind": "offer", "enterprise": ref, "title_zh": "废有机溶剂",
                             "title": "spent solvent", "form": "liquid", "quantity_t": round(rng.uniform(5, 500), 1),
                             "composition": comp})
    return {"format": "wastematch.v1", "parks": parks, "enterprises": enterprises, "listings": listings}, refs


def declarations(refs: list[str], year: int, args, rng: random.Random) -> tuple[dict, dict]:
    """The ``wastematch.survey.v1`` document of ``year`` and what was planted in it."""
    pool = ordinary_pool()
    n_banned = min(args.banned, len(refs))
    banned = set(rng.sample(refs, n_banned))
    controlled = set(rng.sample([r for r in refs if r not in banned],
                                min(len(refs) - n_banned, round(args.controlled_share * len(refs)))))
    decls = []
    planted: Counter = Counter()
    for ref in refs:
        rows = []
        for cas, name in rng.sample(pool, min(args.substances, len(pool))):
            role = rng.choice(ROLES)
            q = round(rng.lognormvariate(2.5, 1.5), 3)
            row = {"cas": cas, "name": name, "role": role, "quantity_t": q,
                   "use": rng.choice(USES) if role == "use" else "", "stock_t": round(q * rng.uniform(0, 0.2), 3)}
            if role == "release":
                row["released_t"] = q
            rows.append(row)
        extra = []
        if ref in controlled:
            for cas, name, role, use in rng.sample(PERMITTED, rng.choice((1, 1, 2))):
                extra.append({"cas": cas, "name": name, "role": role, "quantity_t": round(rng.uniform(0.5, 50), 2),
                              "use": use, "released_t": 0.01 if role == "release" else None})
                planted["controlled_rows"] += 1
        if ref in banned:
            cas, name, role, use = rng.choice(BANNED)
            extra.append({"cas": cas, "name": name, "role": role, "quantity_t": round(rng.uniform(0.5, 5), 2),
                          "use": use})
            planted["banned_rows"] += 1
        # The planted rows replace ordinary ones: every declaration keeps its size.
        rows = rows[:len(rows) - len(extra)] + extra
        decls.append({"enterprise": ref, "substances": [{k: v for k, v in r.items() if v not in (None, "")}
                                                        for r in rows]})
    planted.update(declarations=len(decls), rows=sum(len(d["substances"]) for d in decls),
                   banned_enterprises=len(banned), controlled_enterprises=len(controlled))
    return {"format": "wastematch.survey.v1", "year": year, "declarations": decls}, dict(planted)


def previous_year(doc: dict, share: float, rng: random.Random) -> dict:
    """Last year's declarations of ``share`` of the enterprises: this year's rows, some 10–20 × apart."""
    picked = rng.sample(doc["declarations"], round(share * len(doc["declarations"])))
    out = []
    for d in picked:
        rows = []
        for r in d["substances"]:
            r = dict(r)
            if rng.random() < 0.05:
                r["quantity_t"] = round(r["quantity_t"] * rng.choice((12.0, 20.0, 1 / 15)), 4)
            rows.append(r)
        out.append({"enterprise": d["enterprise"], "substances": rows})
    return {"format": "wastematch.survey.v1", "year": doc["year"] - 1, "declarations": out}


def ledger_rows(doc: dict, share: float, rng: random.Random) -> list[dict]:
    """``consumed`` batches of every declared use for ``share`` of the enterprises, one of them 50 % off."""
    rows = []
    year = doc["year"]
    for d in rng.sample(doc["declarations"], round(share * len(doc["declarations"]))):
        uses = [r for r in d["substances"] if r["role"] == "use" and r.get("cas")]
        for k, r in enumerate(uses):
            factor = 1.5 if k == 1 else rng.uniform(0.9, 1.1)
            rows.append({"enterprise": d["enterprise"], "batch_code": f"B{year}-{d['enterprise']}-{k}",
                         "direction": "consumed", "entry_date": dt.date(year, 1 + rng.randrange(12), 15).isoformat(),
                         "chemical_name": r.get("name"), "cas": r["cas"],
                         "quantity_t": round(max(r["quantity_t"] * factor, 0.001), 4)})
    return rows


# --- databases -------------------------------------------------------------------------------------------------

class Databases:
    """Where the base and each run's copy live: SQLite files in a temp folder, or scratch PostgreSQL databases."""

    def __init__(self, url: str | None, tmp: Path) -> None:
        self.tmp, self.created = tmp, []
        self.server = make_url(url) if url else None
        self.admin = create_engine(self.server, isolation_level="AUTOCOMMIT") if self.server else None
        self.tag = f"wm_bench_gov_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.base = self._new(f"{self.tag}_base")

    @property
    def backend(self) -> str:
        return self.server.get_backend_name() if self.server else "sqlite"

    def _new(self, name: str, template: str | None = None) -> str:
        if self.admin is None:
            path = self.tmp / f"{name}.sqlite3"
            if template:
                shutil.copyfile(make_url(template).database, path)
            return f"sqlite:///{path}"
        with self.admin.connect() as conn:
            clause = f' TEMPLATE "{make_url(template).database}"' if template else ""
            conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        self.created.append(name)
        return self.server.set(database=name).render_as_string(hide_password=False)

    def copy(self, i: int) -> str:
        """A fresh copy of the base for run ``i``."""
        return self._new(f"{self.tag}_run{i}", template=self.base)

    def drop(self, url: str) -> None:
        if self.admin is None:
            Path(make_url(url).database).unlink(missing_ok=True)
            return
        name = make_url(url).database
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.created.remove(name)

    def close(self) -> None:
        if self.admin is not None:
            with self.admin.connect() as conn:
                for name in list(self.created):
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            self.admin.dispose()


def _timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - t0


def accept_all(session: Session, year: int) -> int:
    """Accept every submitted declaration of ``year`` through ``surveys.accept``, one call each."""
    admin = system_principal("bench")
    ids = list(session.scalars(select(SurveyDeclaration.id).where(
        SurveyDeclaration.year == year, SurveyDeclaration.status.in_(("submitted", "resubmitted")))
        .order_by(SurveyDeclaration.id)))
    for i in ids:
        surveys.accept(session, admin, i)
    return len(ids)


def build_base(url: str, args, rng: random.Random, year: int) -> tuple[dict, dict]:
    """The base database: the park, ledgers and last year's accepted declarations; the survey of ``year``."""
    out: dict = {}
    admin = system_principal("bench")
    engine = make_engine(url)
    upgrade_schema(engine)
    park_doc, refs = park_document(args.enterprises, args.parks, rng)
    survey, planted = declarations(refs, year, args, rng)
    prev = previous_year(survey, args.previous_share, rng)
    rows = ledger_rows(survey, args.ledger_share, rng)
    t0 = time.perf_counter()
    with Session(engine) as session, session.begin():
        load_builtin_catalog(session)
        report = import_document(session, park_doc, actor="bench")
    out["park_import_s"] = round(time.perf_counter() - t0, 2)
    out["park_imported"] = report.as_dict()["created"]
    info(f"park imported in {out['park_import_s']} s: {out['park_imported']}")
    t0 = time.perf_counter()
    with Session(engine) as session, session.begin():
        for i in range(0, len(rows), ledger.MAX_IMPORT_ROWS):
            ledger.import_entries(session, admin, rows[i:i + ledger.MAX_IMPORT_ROWS])
    out["ledger_import_s"] = round(time.perf_counter() - t0, 2)
    out["ledger_entries"] = len(rows)
    info(f"{len(rows)} ledger entries in {out['ledger_import_s']} s")
    t0 = time.perf_counter()
    with Session(engine) as session, session.begin():
        result = survey_files.import_survey(session, admin, prev, source="bench previous year")
    out["previous_import_s"] = round(time.perf_counter() - t0, 2)
    t0 = time.perf_counter()
    with Session(engine) as session, session.begin():
        out["previous_accepted"] = accept_all(session, year - 1)
    out["previous_accept_s"] = round(time.perf_counter() - t0, 2)
    out["previous_rows"] = result.substances
    info(f"{out['previous_accepted']} declarations of {year - 1} imported in {out['previous_import_s']} s, "
         f"accepted in {out['previous_accept_s']} s")
    engine.dispose()
    return survey, {**out, "planted": planted}


# --- one timed run ---------------------------------------------------------------------------------------------

def counts(engine, year: int) -> dict:
    """What the run left in the database."""
    with Session(engine) as session:
        decls = list(session.execute(select(SurveyDeclaration.status, func.count()).where(
            SurveyDeclaration.year == year).group_by(SurveyDeclaration.status)))
        findings: Counter = Counter()
        for checks in session.scalars(select(SurveyDeclaration.checks).where(SurveyDeclaration.year == year)):
            findings.update(c["code"] for c in checks or [])
        roster_rows = list(session.scalars(select(RosterEntry.substances).where(RosterEntry.year == year)))
        return {
            "declarations": dict(decls),
            "rows": session.scalar(select(func.count()).select_from(SurveySubstance).join(
                SurveyDeclaration, SurveyDeclaration.id == SurveySubstance.declaration_id)
                .where(SurveyDeclaration.year == year)),
            "findings_by_code": dict(findings),
            "roster_entries": len(roster_rows),
            "roster_substance_rows": sum(len(r or []) for r in roster_rows),
            "roster_by_source": dict(Counter(s["source"] for r in roster_rows for s in r or [])),
            "obligations": session.scalar(select(func.count()).select_from(Obligation).where(Obligation.year == year)),
            "alerts_active": {k: n for k, n in session.execute(
                select(Alert.kind, func.count()).where(Alert.status.in_(("open", "acknowledged")),
                                                       Alert.kind.in_(roster.GOVERNANCE_KINDS))
                .group_by(Alert.kind))},
            "ledger_entries": session.scalar(select(func.count()).select_from(LedgerEntry)),
            "notifications": session.scalar(select(func.count()).select_from(Notification)),
        }


class _Profiles:
    """cProfile text reports (top 60 by cumulative time) of named steps (``--profile DIR``), or nothing."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def __call__(self, name: str, fn, *args, **kwargs):
        if self.folder is None:
            return fn(*args, **kwargs)
        profiler = cProfile.Profile()
        try:
            return profiler.runcall(fn, *args, **kwargs)
        finally:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{name}.txt"
            buf = io.StringIO()
            pstats.Stats(profiler, stream=buf).sort_stats("cumulative").print_stats(60)
            path.write_text(buf.getvalue(), encoding="utf-8")
            info(f"  profile written: {path}")


def run_once(url: str, survey: dict, year: int, today: dt.date, cli: bool, profile: Path | None = None) -> dict:
    """Every timed step on a fresh copy of the base; timings in seconds and what each step returned."""
    admin = system_principal("bench")
    prof = _Profiles(profile)
    engine = make_engine(url)
    out: dict = {"loadavg_before": [round(x, 2) for x in os.getloadavg()]}
    with Session(engine) as session:
        _, out["validate_s"] = _timed(survey_files.validate_survey, session, admin, survey)
        session.rollback()
    with Session(engine) as session:
        t0 = time.perf_counter()
        with session.begin():
            result = prof("import_survey", survey_files.import_survey, session, admin, survey, source="bench")
        out["import_s"] = time.perf_counter() - t0
    out["import"] = {k: v for k, v in result.as_dict().items() if k != "declarations"}
    with Session(engine) as session:
        t0 = time.perf_counter()
        decls = list(session.scalars(select(SurveyDeclaration).where(SurveyDeclaration.year == year)
                                     .options(selectinload(SurveyDeclaration.substances))))
        out["checks_load_s"] = time.perf_counter() - t0
        found, out["checks_s"] = _timed(prof, "run_checks_many", survey_checks.run_checks_many, session, decls)
        out["checks_findings"] = sum(len(v) for v in found.values())
        session.rollback()
    with Session(engine) as session:
        t0 = time.perf_counter()
        with session.begin():
            out["accepted"] = prof("accept_all", accept_all, session, year)
        out["accept_s"] = time.perf_counter() - t0
    with Session(engine) as session:
        t0 = time.perf_counter()
        with session.begin():
            entries = prof("compute_roster", roster.compute_roster, session, admin, park=None, year=year, today=today)
        out["roster_s"] = time.perf_counter() - t0
        out["roster_entries"] = len(entries)
    with Session(engine) as session:
        t0 = time.perf_counter()
        with session.begin():
            roster.compute_roster(session, admin, park=None, year=year, today=today)
        out["roster_again_s"] = time.perf_counter() - t0
    with Session(engine) as session:
        rows, out["roster_rows_s"] = _timed(roster.roster_rows, session, admin, park=None, year=year, today=today)
        out["violations"] = dict(Counter(v["code"] for r in rows for v in r["violations"]))
        session.rollback()
    if cli:
        cmd = [str(REPO / ".venv" / "bin" / "wastematch"), "--db", url, "roster", "--year", str(year),
               "--today", today.isoformat(), "--json"]
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=REPO)
        out["cli_roster_s"] = time.perf_counter() - t0
        if proc.returncode != 0:
            out["cli_error"] = proc.stderr[-2000:]
        else:
            doc = json.loads(proc.stdout)
            out["cli_roster"] = {"enterprises": len(doc["roster"]), "bytes": len(proc.stdout.encode()),
                                 "violations": sum(len(r["violations"]) for r in doc["roster"])}
    out["counts"] = counts(engine, year)
    engine.dispose()
    for k in list(out):
        if k.endswith("_s"):
            out[k] = round(out[k], 3)
    return out


TIMED = ("validate_s", "import_s", "checks_load_s", "checks_s", "accept_s", "roster_s", "roster_again_s",
         "roster_rows_s", "cli_roster_s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=5000)
    parser.add_argument("--substances", type=int, default=20, help="rows per declaration")
    parser.add_argument("--parks", type=int, default=4)
    parser.add_argument("--year", type=int, default=None, help="survey year (default: last year)")
    parser.add_argument("--controlled-share", type=float, default=0.10,
                        help="enterprises declaring a key controlled substance in a permitted role")
    parser.add_argument("--banned", type=int, default=25, help="enterprises declaring a prohibited use")
    parser.add_argument("--previous-share", type=float, default=0.20,
                        help="enterprises with an accepted declaration of the previous year")
    parser.add_argument("--ledger-share", type=float, default=0.10, help="enterprises keeping a ledger that year")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-cli", action="store_true", help="skip `wastematch roster --json` as a subprocess")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--db", default=None,
                        help="server URL (PostgreSQL): scratch databases are created on it and dropped "
                             "(default: SQLite files in a temp folder)")
    parser.add_argument("--profile", type=Path, default=None,
                        help="directory for cProfile text reports of the first run's steps (slows them)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    today = dt.date.today()
    year = args.year or today.year - 1
    result: dict = {"benchmark": "governance", "date": today.isoformat(), "machine": machine(),
                    "code": code_fingerprint(),
                    "parameters": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()
                                   if k != "db"} | {"year": year, "today": today.isoformat()}}
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        dbs = Databases(args.db, Path(tmp))
        result["database"] = dbs.backend
        try:
            t0 = time.perf_counter()
            survey, result["build"] = build_base(dbs.base, args, rng, year)
            result["build"]["total_s"] = round(time.perf_counter() - t0, 1)
            runs = []
            for i in range(args.repeats):
                url = dbs.copy(i)
                info(f"run {i + 1}/{args.repeats} …")
                run = run_once(url, survey, year, today, cli=not args.no_cli, profile=args.profile if i == 0 else None)
                dbs.drop(url)
                info(f"  {json.dumps({k: v for k, v in run.items() if k.endswith('_s')})}")
                runs.append(run)
        finally:
            dbs.close()
    result["median_s"] = {k: round(statistics.median(r[k] for r in runs), 3) for k in TIMED if k in runs[0]}
    result["max_s"] = {k: round(max(r[k] for r in runs), 3) for k in TIMED if k in runs[0]}
    last = runs[-1]
    result["counts"] = {**last["counts"], "import": last["import"], "roster_entries_computed": last["roster_entries"],
                        "violations": last["violations"], "cli_roster": last.get("cli_roster"),
                        "accepted": last["accepted"]}
    rows = last["counts"]["rows"] or 1
    m = result["median_s"]
    result["per_row_ms"] = {"import": round(1000 * m["import_s"] / rows, 4),
                            "checks": round(1000 * m["checks_s"] / rows, 4)}
    result["per_declaration_ms"] = {"accept": round(1000 * m["accept_s"] / max(last["accepted"], 1), 3)}
    result["targets"] = {
        "import_s <= 30 (validation, rows, checks, audit: one transaction)": m["import_s"] <= 30,
        "checks_s <= 10": m["checks_s"] <= 10,
        "roster_s <= 10 (first computation with alerts)": m["roster_s"] <= 10,
        "accept_s <= 60 (one service call per declaration)": m["accept_s"] <= 60,
    }
    result["runs"] = runs
    result["peak_rss_mb"] = peak_rss_mb()
    result["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    text_out = json.dumps(result, ensure_ascii=False, indent=2, default=str)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text_out + "\n", encoding="utf-8")
        info(f"wrote {args.out}")
    else:
        print(text_out)
    info(f"medians: {json.dumps(m)}; targets: {json.dumps(result['targets'], ensure_ascii=False)}")


if __name__ == "__main__":
    main()
