"""Property-based fuzzing of the whole API (schemathesis against our own OpenAPI document).

Every operation in ``/api/v1/openapi.json`` gets a few generated requests as an admin
(valid and deliberately invalid input), as a coordinator and as an enterprise user; no
response may be a 5xx. The run is bounded (a handful of examples per operation,
derandomised); each (user, mode) run is a test of its own, so the test processes share them.

Fuzzed POSTs and PATCHes commit, so the target is a database of its own per backend,
loaded with the ``tests.factories`` API park and one matching run. Each operation is
fuzzed with a freshly issued token of a reactivated user, so an operation that revokes
tokens or disables accounts cannot blind the ones after it; ``DELETE /auth/token``
(sign out) is left out because it would revoke the token of the very run using it.

Responses that do not conform to the document (undocumented status, body not matching
its schema) are reported as ``FuzzFinding`` warnings but do not fail the run: the contract
here is "no 5xx". Each operation also gets its first case replayed with one integer (path,
query or top-level body) just past the 32- and 64-bit ranges, which must be refused, not crash.
"""
from __future__ import annotations

import logging
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance
from sqlalchemy import select
from sqlalchemy.orm import Session

from marketplace.db import make_engine, upgrade_schema
from marketplace.models import User
from marketplace.services.accounts import users as accounts
from marketplace.services.catalog.reference import load_builtin_catalog
from marketplace.services.matching.runs import run_matching
from tests.factories import API_USERS, load_api_park
from web.app import create_app

OPENAPI = "/api/v1/openapi.json"
# (user key, generation mode, examples per operation)
# The examples are derandomised: fewer take the first ones of the same sequence. The counts keep the whole suite
# within its time (the admin's positive run also makes the huge-integer probes).
RUNS = [("admin", GenerationMode.POSITIVE, 4), ("admin", GenerationMode.NEGATIVE, 3),
        ("coord", GenerationMode.POSITIVE, 2), ("e2", GenerationMode.POSITIVE, 3)]
EXCLUDED = [("DELETE", "/api/v1/auth/token")]  # sign-out would revoke the fuzzing token
# Per call of a run (the admin's positive run makes ~3x the calls of the others, its huge-integer probes included);
# reported, not asserted: timings belong to benchmarks (loaded CI machines took 0.025-0.04 s a call).
CALL_BUDGET_S = 0.06
# Just past PostgreSQL INTEGER and past SQLite's (and PostgreSQL BIGINT's) 64-bit range: ids and counts
# this large must be refused (404, 422), not crash the query.
HUGE = (2**31, 2**63)


class FuzzFinding(UserWarning):
    """A response that contradicts the OpenAPI document (reported, not failed)."""


@dataclass
class Finding:
    run: str
    operation: str
    status: int
    request: str
    detail: str


@dataclass
class Report:
    calls: Counter = field(default_factory=Counter)  # (operation, status class) → count
    server_errors: list[Finding] = field(default_factory=list)
    nonconforming: list[Finding] = field(default_factory=list)
    not_generated: list[str] = field(default_factory=list)
    huge_probes: int = 0
    unauthorized: int = 0  # 401 answers: the fuzzing token was not accepted


class _Tracebacks(logging.Handler):
    """Keeps the last unhandled error the app logged, to name it in the report."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.last: str = ""

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            self.last = f"{type(exc).__name__}: {exc}"


@pytest.fixture(scope="module")
def fuzz_target(backend, fresh_database_url) -> Iterator[tuple]:
    """An app on a committed database of its own, and that database's engine."""
    url = fresh_database_url(backend)
    engine = make_engine(url)
    upgrade_schema(engine)
    with Session(engine) as session, session.begin():
        load_builtin_catalog(session)
        load_api_park(session)
        run_matching(session, park=None, actor="fuzz")
    app = create_app({"database_url": url})
    yield app, engine
    app.extensions["wastematch.engine"].dispose()
    engine.dispose()


def fresh_token(engine, key: str) -> str:
    """A new token for the fixture user ``key``, reactivating the account if a fuzzed call disabled it."""
    with Session(engine) as session, session.begin():
        user = session.scalar(select(User).where(User.email == API_USERS[key][0]))
        user.active = True
        token, _ = accounts.issue_token(session, user, label="fuzz")
    return token


def describe(case) -> str:
    parts = [f"{case.method.upper()} {case.formatted_path}"]
    if case.query:
        parts.append(f"query={case.query!r}")
    if case.body is not None and type(case.body).__name__ != "NotSet":
        parts.append(f"body={case.body!r}"[:600])
    return " ".join(parts)


def grouped(findings: list[Finding]) -> list[str]:
    """One line per distinct (operation, status, problem), with how often and the first request that showed it."""
    seen: dict[tuple, list[Finding]] = {}
    for f in findings:
        seen.setdefault((f.operation, f.status, f.detail[:160]), []).append(f)
    return [f"{op} → {status} ×{len(fs)} ({', '.join(sorted({f.run for f in fs}))}): {fs[0].detail[:400]}\n"
            f"      e.g. {fs[0].request}" for (op, status, _), fs in seen.items()]


def summary(group: FailureGroup) -> str:
    return "; ".join(f"{f.title}: {' '.join(f.message.split())[:300]}" for f in group.exceptions)


def huge_integer_variants(case) -> Iterator[Any]:
    """The case again with one integer (path parameter, query parameter or top-level body field) made huge."""
    body = case.body if isinstance(case.body, dict) else {}
    slots = [("path_parameters", k) for k, v in case.path_parameters.items() if type(v) is int]
    slots += [("query", k) for k, v in (case.query or {}).items() if type(v) is int]
    slots += [("body", k) for k, v in body.items() if type(v) is int]
    for where, name in slots:
        for value in HUGE:
            parts = {"path_parameters": dict(case.path_parameters), "query": dict(case.query or {}),
                     "body": dict(body)}
            parts[where][name] = value
            kwargs = {"path_parameters": parts["path_parameters"], "query": parts["query"] or None}
            if isinstance(case.body, dict):
                kwargs.update(body=parts["body"], media_type=case.media_type)
            yield case.operation.Case(**kwargs)


def fuzz_operation(operation, mode: GenerationMode, examples: int, headers: dict, run: str, report: Report,
                   tracebacks: _Tracebacks, probe_huge: bool = False) -> None:
    probed = []

    def check_server_error(case, response) -> bool:
        try:
            case.validate_response(response, checks=[not_a_server_error], headers=headers)
        except FailureGroup as failure:  # collected and reported together at the end
            report.server_errors.append(Finding(run, operation.label, response.status_code, describe(case),
                                                tracebacks.last or summary(failure)))
            return False
        return True

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=operation.as_strategy(generation_mode=mode))
    def one(case) -> None:
        tracebacks.last = ""
        response = case.call(headers=headers)
        report.calls[(operation.label, f"{response.status_code // 100}xx")] += 1
        report.unauthorized += response.status_code == 401
        ok = check_server_error(case, response)
        variants = list(huge_integer_variants(case)) if probe_huge and not probed else []
        if variants:  # once per operation, on the first case that has an integer to inflate
            probed.append(case)
            for variant in variants:
                tracebacks.last = ""
                check_server_error(variant, variant.call(headers=headers))
                report.huge_probes += 1
        if not ok:
            return
        if mode is GenerationMode.POSITIVE:
            try:
                case.validate_response(response, checks=[status_code_conformance, response_schema_conformance],
                                       headers=headers)
            except FailureGroup as failure:
                report.nonconforming.append(Finding(run, operation.label, response.status_code, describe(case),
                                                    summary(failure)))

    try:
        one()
    except Exception as exc:  # noqa: BLE001 - e.g. a schema hypothesis cannot satisfy
        report.not_generated.append(f"{run} {operation.label}: {type(exc).__name__}: {str(exc)[:200]}")


@pytest.mark.parametrize(("key", "mode", "examples"), RUNS, ids=[f"{k}-{m.value}" for k, m, _ in RUNS])
def test_fuzzing_every_operation_finds_no_server_error(fuzz_target, key, mode, examples):
    """One run (a user, a generation mode, examples per operation) over every operation; the runs are separate
    tests so that the test processes share them."""
    app, engine = fuzz_target
    schema = schemathesis.openapi.from_wsgi(OPENAPI, app)
    for method, path in EXCLUDED:
        schema = schema.exclude(method=method, path=path)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10, "the OpenAPI document lists too few operations"
    report, tracebacks = Report(), _Tracebacks()
    app.logger.addHandler(tracebacks)
    started = time.perf_counter()
    run = f"{key}/{mode.value}"
    try:
        for operation in operations:
            headers = {"Authorization": f"Bearer {fresh_token(engine, key)}"}
            fuzz_operation(operation, mode, examples, headers, run, report, tracebacks,
                           probe_huge=(key, mode) == ("admin", GenerationMode.POSITIVE))
    finally:
        app.logger.removeHandler(tracebacks)
    elapsed = time.perf_counter() - started

    by_status = Counter()
    for (_, status), n in report.calls.items():
        by_status[status] += n
    print(f"\nfuzzed {len(operations)} operations, {sum(report.calls.values())} calls in {elapsed:.1f} s: "
          + ", ".join(f"{n} {status}" for status, n in sorted(by_status.items()))
          + f"; {report.huge_probes} huge-integer probes")
    for line in grouped(report.nonconforming):
        print(f"  not as documented {line}")
        warnings.warn(f"response not as documented: {line}", FuzzFinding, stacklevel=1)
    for line in report.not_generated:
        print(f"  not generated: {line}")
        warnings.warn(f"no requests generated: {line}", FuzzFinding, stacklevel=1)
    fuzzed = {op for op, _ in report.calls}
    assert fuzzed == {op.label for op in operations}, f"never called: {sorted({o.label for o in operations} - fuzzed)}"
    assert report.unauthorized < sum(report.calls.values()) / 2, \
        f"{report.unauthorized} answers 401: the fuzzing tokens are probably not accepted"
    if (key, mode) == ("admin", GenerationMode.POSITIVE):
        # The admin's valid requests get through: the reads that name no resource (an id in the path names one
        # the fuzzer invents, 404) answer 2xx, all but a few (a valid request may still name an unknown code).
        reads = {op.label for op in operations if op.method.upper() == "GET" and "{" not in op.path}
        succeeded = {op for (op, status) in report.calls if status == "2xx"}
        assert len(reads - succeeded) <= len(reads) // 10, \
            f"reads that never succeeded as the admin: {sorted(reads - succeeded)}"
    assert not report.server_errors, "server errors:\n" + "\n".join(f"  {line}" for line in grouped(report.server_errors))
    budget = CALL_BUDGET_S * (sum(report.calls.values()) + report.huge_probes)
    if elapsed > budget:
        warnings.warn(f"the fuzz run took {elapsed:.0f} s (budget {budget:.0f} s); "
                      "lower the examples per operation if this persists", stacklevel=1)
