"""Does learning from coordinators' decisions work, and does it stay legal?

On the demo park a *simulated* coordinator decides every proposal of one match run
(both parties accept first, as in the workflow). The coordinator's hidden policy —
reject hazardous hauls over ``--max-hw-km``, prefer reuse and recycling over disposal —
is not something the engine's score encodes; ``--noise`` of the decisions are flipped
at random. The decision model is then trained through the service users call
(``learning.train``) and we report its cross-validated ROC AUC beside the AUC of the
engine's own weight, and check every re-ranked recommendation of every listing against
the hard rules. The figures are about the machinery on simulated decisions, not about
any real park's coordinators.

    .venv/bin/python benchmarks/eval_ranking.py [--out benchmarks/results/ranking_eval.json]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from marketplace.db import make_engine, upgrade_schema  # noqa: E402
from marketplace.models import Listing, Match  # noqa: E402
from marketplace.services.matching import learning, workflow  # noqa: E402
from marketplace.services.accounts.users import Principal  # noqa: E402
from marketplace.services.catalog.reference import load_builtin_catalog  # noqa: E402
from marketplace.services.listings.interchange import import_document  # noqa: E402
from marketplace.services.matching.recommendations import recommend  # noqa: E402
from marketplace.services.matching.runs import run_matching  # noqa: E402
from matching.problem import Settings  # noqa: E402

DEMO = REPO / "marketplace" / "demo" / "demo_park.json"
TODAY = dt.date(2026, 11, 23)


def party(match: Match, side: str) -> Principal:
    ent = (match.offer if side == "offer" else match.need).enterprise
    return Principal(user_id=None, email=f"{side}@{ent.ref}.sim", role="enterprise", enterprise_id=ent.id,
                     enterprise_ref=ent.ref)


def coordinator(match: Match) -> Principal:
    return Principal(user_id=None, email="coordinator@sim", role="coordinator",
                     park_ids=frozenset({match.offer.enterprise.park_id, match.need.enterprise.park_id}))


def policy(match: Match, *, max_hw_km: float) -> tuple[bool, str]:
    """The simulated coordinator's decision and reason."""
    hazardous = bool(match.offer.waste_code)
    if hazardous and match.distance_km > max_hw_km:
        return False, f"危险废物运距 {match.distance_km:.0f} km 过长 / HW haul too long"
    if match.need.purpose == "dispose":
        return False, "优先利用而非处置 / utilise before disposing"
    return True, "符合园区循环化方案 / fits the park's circular plan"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-hw-km", type=float, default=40.0)
    ap.add_argument("--noise", type=float, default=0.1, help="share of decisions flipped at random")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "ranking_eval.json")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    settings = Settings(today=TODAY)
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/eval.sqlite3")
        upgrade_schema(engine)
        with Session(engine, expire_on_commit=False) as session, session.begin():
            load_builtin_catalog(session)
            import_document(session, json.loads(DEMO.read_text(encoding="utf-8")), actor="eval")
            run, _ = run_matching(session, park=None, actor="eval", settings=settings)
            matches = list(session.scalars(select(Match).where(Match.run_id == run.id).order_by(Match.id)))
            approved = rejected = flipped = 0
            for m in matches:
                workflow.decide(session, party(m, "offer"), m.id, "accept")
                workflow.decide(session, party(m, "need"), m.id, "accept")
                ok, reason = policy(m, max_hw_km=args.max_hw_km)
                if rng.random() < args.noise:
                    ok, reason, flipped = not ok, reason + " (simulated noise)", flipped + 1
                action = "approve" if ok else "reject"
                try:
                    workflow.decide(session, coordinator(m), m.id, action, reason, settings=settings)
                except Exception as exc:  # noqa: BLE001 - an approval refused (e.g. capacity): count as rejected
                    workflow.decide(session, coordinator(m), m.id, "reject", f"{reason}; {exc}")
                    ok = False
                approved, rejected = approved + ok, rejected + (not ok)
            started = time.perf_counter()
            model = learning.train(session, "eval")
            train_s = time.perf_counter() - started
            # Every listing's re-ranked recommendations must still pass every hard check.
            refs = list(session.scalars(select(Listing.ref).where(Listing.status == "active")))
            started = time.perf_counter()
            doc = recommend(session, refs, top=5, settings=settings)
            recommend_s = time.perf_counter() - started
            recs = [r for result in doc["results"] for r in result["recommendations"]]
            illegal = sum(1 for r in recs if any(c["hard"] and not c["passed"] for c in r["checks"]))
            reranked = sum(1 for r in recs if r.get("approval_probability") is not None)
        engine.dispose()
    m = model.metrics
    result = {
        "benchmark": "ranking_eval", "park": DEMO.name, "today": TODAY.isoformat(),
        "policy": {"max_hw_km": args.max_hw_km, "rejects_dispose": True, "noise": args.noise, "seed": args.seed},
        "decisions": model.decisions, "approved": model.approved, "rejected": model.rejected,
        "flipped_by_noise": flipped, "metric": model.metric_name, "cv_auc": model.metric_value,
        "cv": {k: v for k, v in m.items() if k != "coefficients"}, "coefficients": m.get("coefficients"),
        "train_s": round(train_s, 3), "recommendations_checked": len(recs), "reranked": reranked,
        "hard_check_failures_in_recommendations": illegal, "recommend_all_s": round(recommend_s, 2),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{model.decisions} decisions ({model.approved} approved, {model.rejected} rejected, {flipped} flipped); "
          f"cv ROC AUC {model.metric_value} vs engine weight {m.get('baseline_weight_auc')}; "
          f"{len(recs)} re-ranked recommendations, {illegal} failing a hard check; written to {args.out}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
