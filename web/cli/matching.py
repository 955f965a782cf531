"""``wastematch recommend | match | matches | approvals | model``: the matching engine and its workflow jobs."""
from __future__ import annotations

import time
from typing import Any

import click

from ..i18n import message_halves
from .context import Cli
from .help_text import ERROR, command, group, label
from .output import emit_json, json_option, localised, say, text

# The solver's status as the run page names it (``web.i18n`` STATE_LABELS, a page translation).
SOLVER_STATUS_ZH = {"OPTIMAL": "最优", "FEASIBLE": "可行解（已达时限）", "INFEASIBLE": "无可行解", "EMPTY": "无可匹配项"}
# What a regional run's stages are called in Chinese (keyed as ``RegionProgress.stage``; the English is
# ``runs.REGION_STAGES``), in the words of the progress page.
REGION_STAGES_ZH = {"statistics": "比对成分相似度", "prepare": "生成候选配对并检查法规", "solve": "整体优化",
                    "explain": "生成推荐说明"}


def _settings(exact: bool = False, time_limit: float | None = None, today: str | None = None):
    from matching.problem import Settings

    kwargs: dict[str, Any] = {"exact": exact}
    if time_limit is not None:
        kwargs["time_limit_s"] = time_limit
    if today:
        kwargs["today"] = click.DateTime(["%Y-%m-%d"]).convert(today, None, None).date()
    return Settings(**kwargs)


@command()
@click.argument("refs", nargs=-1, required=True)
@click.option("--top", default=5, show_default=True, type=click.IntRange(1, 100), help="Recommendations per listing.")
@click.option("--today", default=None, metavar="YYYY-MM-DD", help="Judge licence validity on this date.")
@json_option
@click.pass_obj
def recommend(cli: Cli, refs: tuple[str, ...], top: int, today: str | None) -> None:
    """One-click matching: ranked needs for an offer, offers for a need."""
    from marketplace.services.matching.recommendations import recommend as recommend_service

    started = time.perf_counter()
    with cli.transaction() as session:
        doc = recommend_service(session, list(refs), top=top, settings=_settings(today=today))
    if cli.as_json:
        emit_json(doc)
        return
    for result in doc["results"]:
        click.echo(_result_line(result))
        for i, r in enumerate(result["recommendations"], start=1):
            flags_zh, flags = _flags(r["checks"])
            value = r["value"]
            click.echo(f"  {i}. {r['listing']} [{r['enterprise']}] " + text(
                f"每吨创造价值 {value['cny_per_t']:,} 元 × {value['quantity_t']:,.1f} t = "
                f"{value['total_cny']:,.0f} 元，{r['distance_km']:.1f} km" + (f"，需注意：{flags_zh}" if flags else ""),
                f"{value['cny_per_t']:,} CNY/t of value created × {value['quantity_t']:,.1f} t = "
                f"{value['total_cny']:,.0f} CNY, {r['distance_km']:.1f} km" + (f", flags: {flags}" if flags else "")))
            for reason in r["reasons"][:2]:
                click.echo("       " + text(*message_halves(reason)))
        for x in result.get("excluded", []):
            failed = [message_halves(c["detail"]) for c in x["checks"] if c["hard"] and not c["passed"]]
            where = f"{x['listing']} [{x['enterprise']}]"
            click.echo("  " + text(f"未推荐 {where}（{x['distance_km']:.1f} km）的原因："
                                   + "；".join(zh for zh, _ in failed),
                                   f"why not {where}, {x['distance_km']:.1f} km: " + "; ".join(en for _, en in failed)))
    seconds = time.perf_counter() - started
    say(f"{len(refs)} 条挂牌，用时 {seconds:.2f} 秒", f"{len(refs)} listing(s) in {seconds:.2f} s")


def _result_line(result: dict[str, Any]) -> str:
    """A listing's heading: its kind, how many recommendations, and why there are none or few."""
    from marketplace.services.matching.notifications import KIND_ZH

    n, kind = len(result["recommendations"]), result.get("kind")
    note_zh, note = message_halves(result["note"]) if result.get("note") else ("", "")
    return text(f"{result['listing']}" + (f"（{KIND_ZH.get(kind, kind)}）" if kind else "") + f"：{n} 条推荐"
                + (f" — {note_zh}" if note_zh else ""),
                f"{result['listing']}" + (f" ({kind})" if kind else "") + f": {n} recommendations"
                + (f" — {note}" if note else ""))


def _flags(checks: list[dict[str, Any]]) -> tuple[str, str]:
    """(中文, English) of the checks an arc does not pass: the checks' Chinese names, their codes in English."""
    from matching.pipeline import RULE_NAMES

    codes = [c["code"] for c in checks if not c["passed"]]
    return ("、".join(RULE_NAMES[c].name_zh if c in RULE_NAMES else c for c in codes), ", ".join(codes))


@command()
@click.option("--park", default=None, help="Only this park's listings.")
@click.option("--exact", is_flag=True, help="CP-SAT with side constraints (minimum lot, suppliers, mixes).")
@click.option("--time-limit", "time_limit", type=click.FloatRange(0.1, 3600), default=None,
              help="Seconds for the exact solver.")
@click.option("--min-lot", "min_lot", type=click.FloatRange(0), default=None,
              help="Exact mode: minimum tonnes per link.")
@click.option("--max-suppliers", "max_suppliers", type=click.IntRange(1), default=None,
              help="Exact mode: at most this many offers per need.")
@click.option("--today", default=None, metavar="YYYY-MM-DD", help="Judge licence validity on this date.")
@click.option("--with-candidates", is_flag=True, help="Also list every arc the optimiser could use.")
@click.option("--favour-loops", "favour_loops", is_flag=True,
              help="Close candidate loops whose cost is below a bonus per closed loop (default bonus: 10,000 CNY).")
@click.option("--loop-bonus", "loop_bonus", type=click.FloatRange(0, 1e12), default=None, metavar="CNY",
              help="The bonus per closed loop (implies --favour-loops; 0 turns it off).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: this process; dask: region by region on Dask distributed workers.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="With --engine dask: a running scheduler (tcp://host:8786); without it a local cluster starts.")
@click.option("--workers", type=click.IntRange(1, 256), default=None, metavar="N",
              help="With --engine dask and no --scheduler: worker processes of the local cluster (default 2).")
@click.option("--max-region-offers", "max_region_offers", type=click.IntRange(1), default=None, metavar="N",
              help="At most N offers per region (default 50,000): above it both engines run region by region.")
@json_option
@click.pass_obj
def match(cli: Cli, park: str | None, exact: bool, time_limit: float | None, min_lot: float | None,
          max_suppliers: int | None, today: str | None, with_candidates: bool, favour_loops: bool,
          loop_bonus: float | None, engine: str, scheduler: str | None, workers: int | None,
          max_region_offers: int | None) -> None:
    """Park-wide optimisation, saved as a match run of proposals.

    Loop opportunities (candidate loops between enterprises and what closing each would cost) are listed
    with every run; --favour-loops closes those whose cost is below the bonus. --engine dask reads the
    listings region by region on Dask workers (what was committed before the run started) and writes the
    proposals back in one transaction.
    """
    from dataclasses import replace

    from marketplace.services.matching.run_history import run_comparison
    from marketplace.services.matching.runs import EngineRefused, run_document, run_matching
    from matching.loops import DEFAULT_BONUS_CNY

    settings = _settings(exact=exact, time_limit=time_limit, today=today)
    bonus = loop_bonus if loop_bonus is not None else (DEFAULT_BONUS_CNY if favour_loops else 0.0)
    if bonus > 0 and exact:
        raise click.UsageError(text("--favour-loops 仅适用于最小费用流分配，不能与 --exact 同用",
                                    "--favour-loops works with the min-cost-flow allocation, not with --exact"))
    settings = replace(settings, loop_bonus_cny=bonus)
    if min_lot is not None:
        settings = replace(settings, min_lot_t=min_lot)
    if max_suppliers is not None:
        settings = replace(settings, max_suppliers_per_need=max_suppliers)
    say(f"正在匹配{'园区 ' + park if park else '全部园区'}（{'精确求解 CP-SAT' if exact else '最小费用流'}）"
        + (f"，在 dask 上运行（{scheduler or f'本地集群，{workers or 2} 个工作进程'}）" if engine == "dask" else "")
        + "…",
        f"matching {'park ' + park if park else 'all parks'} ({'exact CP-SAT' if exact else 'min-cost flow'})"
        + (f" on dask ({scheduler or f'a local cluster of {workers or 2} workers'})" if engine == "dask" else "")
        + "…")
    try:
        with cli.transaction() as session:
            run, result = run_matching(session, park=park, actor=cli.actor(), settings=settings,
                                       with_candidates=with_candidates, engine=engine, scheduler=scheduler,
                                       workers=workers, max_region_offers=max_region_offers,
                                       region_progress=_region_line)
            doc = run_document(run, result, with_candidates=with_candidates)
            compared = run_comparison(session, run)
            doc["totals"]["previous"] = compared["previous"]  # added by issue 17: the run before, same scope
            doc["totals"]["previous_run"] = compared["previous_run"]
    except EngineRefused as exc:
        # An option the engine cannot honour: one line and the usage exit code; the transaction rolled back.
        # click's own prefix of a usage error, in the invocation's language as click's are (``help_text``)
        click.echo(f"{label(ERROR, cli.lang)}{localised(exc.message)}", err=True)
        raise SystemExit(2) from None
    c, t = result.counts, result.timings
    if result.engine != "local" or len(result.regions) > 1:  # on stderr, so with --json too: where a long run went
        engine_zh = "本地" if result.engine == "local" else result.engine
        say(f"运行 {run.id}：{engine_zh}引擎，{result.workers} 个工作进程，{len(result.regions)} 个区域；"
            f"{c['offers']} 条供给 × {c['needs']} 条需求，已保存 {len(result.proposals)} 条匹配建议；"
            f"求解 {t.get('solve_s', 0.0):.2f} 秒，共 {t['total_s']:.2f} 秒；"
            f"最优性差距 {result.solver.get('gap', 0.0):.2e}",
            f"run {run.id}: {result.engine} engine, {result.workers} worker{'s' if result.workers != 1 else ''}, "
            f"{len(result.regions)} regions; "
            f"{c['offers']} offers × {c['needs']} needs, {len(result.proposals)} proposals stored; "
            f"solved in {t.get('solve_s', 0.0):.2f} s, {t['total_s']:.2f} s in all; "
            f"gap {result.solver.get('gap', 0.0):.2e}")
    if cli.as_json:
        emit_json(doc)
        return
    for m in doc["matches"]:
        flags_zh, flags = _flags(m["checks"])
        pair = f"{m['offer']} → {m['need']}"
        click.echo(text(f"{pair}：{m['quantity_t']:,.1f} t × {m['weight']} 元/t = {m['score']:,.0f} 元，"
                        f"{m['distance_km']:.1f} km" + (f"  需注意：{flags_zh}" if flags else ""),
                        f"{pair}: {m['quantity_t']:,.1f} t × {m['weight']} CNY/t = {m['score']:,.0f}, "
                        f"{m['distance_km']:.1f} km" + (f"  flags: {flags}" if flags else "")))
    say(*_outcome_line(run.id, compared))
    b = result.baseline
    fixed = settings.fixed_cost_per_link
    say(f"详情：{SOLVER_STATUS_ZH.get(result.status, result.status)}；目标函数 {result.objective:,.0f} 元（优化器最大化的量：Σ 每吨价值 × 吨数"
        f"{'，减去每条连接的固定成本' if fixed else ''}）；同一问题的贪心基线 {b['objective']:,.0f}"
        f"（分辨率 {b['resolution_t'] or 0:g} t{'，附加约束相同' if b['side_constraints'] else ''}；"
        f"最优解多出 {b['improvement']:,.0f}）；{c['offers']} 条供给 × {c['needs']} 条需求，"
        f"候选弧 {c['arcs']} 条（合规 {c['legal_arcs']} 条），{len(result.unmatched['offers'])} 条供给未完全分配；"
        f"用时 {t['total_s']:.2f} 秒",
        f"details: {result.status}; objective {result.objective:,.0f} CNY (what the optimiser maximises: Σ value "
        f"per tonne × tonnes{', minus the fixed cost per link' if fixed else ''}); greedy baseline of the same "
        f"problem {b['objective']:,.0f} (resolution {b['resolution_t'] or 0:g} t"
        f"{', same side constraints' if b['side_constraints'] else ''}; the optimum gains {b['improvement']:,.0f}); "
        f"{c['offers']} offers × {c['needs']} needs, {c['arcs']} candidate arcs ({c['legal_arcs']} legal), "
        f"{len(result.unmatched['offers'])} offers not fully placed; {t['total_s']:.2f} s")
    loops = result.loops
    for row in loops.get("closed", []):
        chain = " → ".join(row["enterprises"] + row["enterprises"][:1])
        favoured = row["favoured"]
        say(f"已形成闭环：{chain}，{row['tonnes']:,.1f} t"
            + (f"，成本 {row['cost_cny']:,.0f} 元，闭环奖励 {row['bonus_cny']:,.0f} 元" if favoured else ""),
            f"loop closed: {chain}, {row['tonnes']:,.1f} t"
            + (f", cost {row['cost_cny']:,.0f} CNY for a bonus of {row['bonus_cny']:,.0f}" if favoured else ""))
    for row in loops.get("opportunities", []):
        if not row["closed_by_run"] and row["cost_cny"] is not None:
            chain = " → ".join(row["enterprises"] + row["enterprises"][:1])
            say(f"闭环机会：{chain}，{row['tonnes']:,.1f} t，形成闭环需付出 {row['cost_cny']:,.0f} 元"
                f"（{row['cost_pct']:.2f} %）",
                f"loop opportunity: {chain}, {row['tonnes']:,.1f} t, closing costs {row['cost_cny']:,.0f} CNY "
                f"({row['cost_pct']:.2f} %)")


def _region_line(p) -> None:
    """A regional run's progress on stderr: ``region R03 3/12: candidates``."""
    from marketplace.services.matching.runs import REGION_STAGES

    say(f"{f'区域 {p.region} ' if p.region else ''}{p.done}/{p.total}：{REGION_STAGES_ZH.get(p.stage, p.stage)}",
        f"{f'region {p.region} ' if p.region else ''}{p.done}/{p.total}: {REGION_STAGES.get(p.stage, p.stage)}")


def _outcome_line(run_id: int, compared: dict[str, Any]) -> tuple[str, str]:
    """(中文, English) of the run in users' terms first: tonnes matched, pairs, value created, and the change from
    the run before."""
    now, before, change = compared["now"], compared["previous"], compared["change"]
    zh = (f"运行 {run_id}：匹配 {now['tonnes']:,.1f} t，共 {now['pairs']} 对，"
          f"创造价值 {now['value_cny']:,.0f} 元/年")
    en = (f"run {run_id}: {now['tonnes']:,.1f} t matched in {now['pairs']} pairs, "
          f"value created {now['value_cny']:,.0f} CNY a year")
    if before is None:
        return zh + "（该范围的首次运行）", en + " (first run of this scope)"
    tonnes = f"{change['tonnes']:+,.1f} t" if change["tonnes"] is not None else None
    value = change["value_cny"] is not None
    parts_zh = [tonnes, f"{change['pairs']:+d} 对", f"{change['value_cny']:+,.0f} 元" if value else None]
    parts = [tonnes, f"{change['pairs']:+d} pairs", f"{change['value_cny']:+,.0f} CNY" if value else None]
    return (zh + f"（与运行 {compared['previous_run']} 相比：{'，'.join(p for p in parts_zh if p)}）",
            en + f" ({', '.join(p for p in parts if p)} vs run {compared['previous_run']})")


@group()
def matches() -> None:
    """The match workflow's system jobs."""


@matches.command("expire")
@json_option
@click.pass_obj
def matches_expire(cli: Cli) -> None:
    """Expire proposals nobody confirmed in time (proposed/accepted past their expiry): a job for cron."""
    from marketplace.services.matching.workflow import expire_stale

    with cli.transaction() as session:
        n = expire_stale(session, actor=cli.actor())
    if cli.as_json:
        emit_json({"expired": n})
    else:
        say(f"{n} 个匹配已过期", f"{n} match(es) expired")


@group()
def approvals() -> None:
    """Point-to-point utilisation approvals."""


@approvals.command("add")
@click.argument("number")
@click.option("--producer", required=True, help="Enterprise ref of the producer.")
@click.option("--receiver", required=True, help="Enterprise ref of the user.")
@click.option("--code", "waste_code", required=True, help="HW code, e.g. 900-300-34.")
@click.option("--valid-from", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.option("--valid-to", type=click.DateTime(["%Y-%m-%d"]), default=None)
@click.option("--note", default="")
@json_option
@click.pass_obj
def approvals_add(cli: Cli, number: str, producer: str, receiver: str, waste_code: str, valid_from, valid_to,
                  note: str) -> None:
    """Register an approval so the matcher can lift the licence check for that pair and code."""
    from marketplace.services.matching.point_to_point import register_approval

    with cli.transaction() as session:
        row = register_approval(session, number=number, producer=producer, receiver=receiver,
                                waste_code=waste_code, valid_from=valid_from.date(),
                                valid_to=valid_to.date() if valid_to else None, actor=cli.actor(), note=note)
        doc = {"number": row.number, "producer": producer, "receiver": receiver, "waste_code": waste_code,
               "valid_from": str(row.valid_from), "valid_to": str(row.valid_to) if row.valid_to else None}
    if cli.as_json:
        emit_json(doc)
    else:
        say(f"已登记点对点定向利用批复 {number}：{producer} → {receiver}，{waste_code}",
            f"registered point-to-point approval {number}: {producer} → {receiver}, {waste_code}")


@group()
def model() -> None:
    """The re-ranking model learnt from coordinators' decisions."""


def _model_lines(doc: dict[str, Any]) -> list[str]:
    m = doc["metric"]
    baseline = m.get("baseline_weight_auc")
    score = f"{m['name']} {m['value']:.3f} ± {(m.get('sd') or 0.0):.3f}"
    folds = len(m.get("folds") or [])
    active_zh, active = (" [当前启用]", " [active]") if doc["active"] else ("", "")
    lines = [text(f"排序模型 #{doc['id']}（{doc['kind']}），训练于 {doc['trained_at']}{active_zh}",
                  f"ranking model #{doc['id']} ({doc['kind']}), trained {doc['trained_at']}{active}"),
             "  " + text(f"使用的决策：{doc['decisions']} 条（批准 {doc['approved']}，驳回 {doc['rejected']}；"
                         f"批准基准率 {doc['base_rate']:.2f}）",
                         f"decisions used: {doc['decisions']} ({doc['approved']} approved, "
                         f"{doc['rejected']} rejected; base rate {doc['base_rate']:.2f})"),
             "  " + text(f"验证：{score}（{folds} 折分层交叉验证）"
                         + (f"；仅用引擎权重：{baseline:.3f}" if baseline is not None else ""),
                         f"validation: {score} ({folds}-fold stratified)"
                         + (f"; the engine's weight alone: {baseline:.3f}" if baseline is not None else ""))]
    top = sorted(doc["features"], key=lambda f: -abs(f["coefficient"]))[:5]
    if top:  # the features by their names in the model (data)
        features = [f"{f['name']} {f['coefficient']:+.2f}" for f in top]
        lines.append("  " + text("影响最大的特征：" + "、".join(features),
                                 "strongest features: " + ", ".join(features)))
    return lines


@model.command("train")
@click.option("--folds", default=5, show_default=True, type=click.IntRange(2, 10), help="Cross-validation folds.")
@json_option
@click.pass_obj
def model_train(cli: Cli, folds: int) -> None:
    """Train on every approval and rejection and make the model active (exit 1 if too few decisions)."""
    from marketplace.services.matching.learning import model_dict, train

    with cli.transaction() as session:
        row = train(session, cli.actor(), folds=folds)
        doc = model_dict(row)
    doc["stored"] = {"table": "ranking_models", "id": doc["id"],
                     "database": cli.engine.url.render_as_string(hide_password=True)}
    if cli.as_json:
        emit_json(doc)
        return
    for line in _model_lines(doc):
        click.echo(line)
    say(f"已保存为排序模型 #{doc['id']}（数据表 ranking_models），数据库 {doc['stored']['database']}；"
        "此后的推荐按该模型重新排序",
        f"stored as ranking model #{doc['id']} (table ranking_models) in {doc['stored']['database']}; "
        "recommendations are now re-ranked with it")


@model.command("show")
@json_option
@click.pass_obj
def model_show(cli: Cli) -> None:
    """The active model, its validation metric, and how many decisions exist now."""
    from marketplace.services.matching.learning import current_model, decision_counts, model_dict

    with cli.transaction() as session:
        row = current_model(session)  # the API's answer too, refusal included
        counts = decision_counts(session)
        doc = model_dict(row) | {"available": counts}
    if cli.as_json:
        emit_json(doc)
        return
    for line in _model_lines(doc):
        click.echo(line)
    click.echo("  " + text(f"当前已有决策：{counts['decisions']} 条"
                           f"（批准 {counts['approved']}，驳回 {counts['rejected']}）",
                           f"decisions on record now: {counts['decisions']} ({counts['approved']} approved, "
                           f"{counts['rejected']} rejected)"))
