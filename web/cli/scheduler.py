"""`wastematch scheduler`: run the product's time-based jobs (match expiry, alert scans, notice delivery)."""
from __future__ import annotations

import signal
import threading

import click

from ..i18n import message_halves
from .context import Cli
from .help_text import command
from .output import emit_json, json_option, say

# A run's outcome (``scheduling.Ran.status``) in Chinese.
STATUS_ZH = {"done": "已完成", "failed": "失败"}


@command("scheduler")
@click.option("--once", is_flag=True, help="Run the due slots once and exit (for cron or a test).")
@click.option("--interval", type=float, default=20.0, show_default=True, help="Seconds between checks.")
@json_option
@click.pass_obj
def scheduler(cli: Cli, once: bool, interval: float) -> None:
    """Run the scheduled (time-based) jobs; each slot runs at most once across every scheduler process."""
    from marketplace.db import make_sessionmaker
    from marketplace.services import scheduling

    with cli.transaction():
        pass  # refuses an uninitialised database before anything runs
    runner = scheduling.Scheduler(make_sessionmaker(cli.engine))
    # A job in Chinese is its description's Chinese half (``"send due … notices (发送站外通知)"``).
    job_zh = {j.name: message_halves(j.description)[0] if j.description else j.name for j in runner.jobs}

    def report(ran: scheduling.Ran) -> None:
        # What the job reported (its counts) or the error is data: as it is in either language.
        outcome = ran.result or ran.error or ""
        say(f"{ran.slot.isoformat()} {job_zh.get(ran.job, ran.job)}：{STATUS_ZH.get(ran.status, ran.status)} {outcome}",
            f"{ran.slot.isoformat()} {ran.job}: {ran.status} {outcome}")

    if once:
        done = runner.run_due()
        if cli.as_json:
            emit_json([{"job": r.job, "slot": r.slot.isoformat(), "status": r.status, "result": r.result,
                        "error": r.error} for r in done])
        else:
            for ran in done:
                report(ran)
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    say(f"定时任务进程 {runner.owner}：" + "、".join(f"{job_zh[j.name]}（每 {j.every}）" for j in runner.jobs),
        f"scheduler {runner.owner}: " + ", ".join(f"{j.name} every {j.every}" for j in runner.jobs))
    runner.run_forever(stop, interval_s=interval, on_ran=report)
