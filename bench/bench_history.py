"""Latency flat in history: the everyday commands on a home holding a year of a busy
exchange, against the same commands on a home of 1,000 entries.

Homes (built once per run, under one temp dir; see bench/history_home.py):
  small  1,000 journal entries, 200 drafts, 1,000 ledger rows
  mid   10,000 journal entries, 2,000 drafts, 10,000 ledger rows (--full's baseline)
  large 1,000,000 journal entries, 200,000 drafts, 1,000,000 ledger rows
Measured on small and large (medians): `airsign drafts`, `airsign show ID`, the
dashboard's first paint, the TUI's Drafts and Audit screens opening (from the key to a
filled table), `audit verify` after one more session (a real login and
HSM-signed checkpoint), `airsign screen ID`; each as a new process (what an operator
or a script runs) and in this process (the command without Python's start-up).
Target: large within 2x of small. `audit verify --full` on mid and large, a process per
run: per-entry time and peak memory (the process's VmHWM, and tracemalloc's peak of the walk)
at 1,000,000 within 1.5x of those at 10,000.
Run: .venv/bin/python bench/bench_history.py  [--quick: a 100,000-entry large home]
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._tokens import BENCH_PIN, bench_tokens
from bench.history_home import base_home, grown_home

REPO = Path(__file__).resolve().parent.parent
ROUNDS, FULL_ROUNDS = 5, 3
LARGE = 100_000 if "--quick" in sys.argv else 1_000_000
SIZES = {"small": 1_000, "mid": 10_000, "large": LARGE}
FULL_CHILD = """
import json, sys, time, tracemalloc
from pathlib import Path
from signer.store import audit, db
conn = db.connect(Path(sys.argv[1]) / "state.db")
if sys.argv[2] == "trace":
    tracemalloc.start()
started = time.perf_counter()
result = audit.verify(conn)
seconds = time.perf_counter() - started
peak = tracemalloc.get_traced_memory()[1] if sys.argv[2] == "trace" else None
# VmHWM: this process's peak resident memory (ru_maxrss would keep the parent's, from
# before exec)
hwm = next(int(line.split()[1]) for line in open("/proc/self/status")
           if line.startswith("VmHWM:"))
print(json.dumps({"ok": result.ok, "entries": result.entries, "seconds": seconds,
                  "maxrss_kb": hwm, "traced_peak": peak}))
"""


def _process(home: Path, *args: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "signer", "--home", str(home), "--json", *args],
                          capture_output=True, text=True, cwd=REPO, timeout=600)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 4):
        raise SystemExit(f"{args} failed ({done.returncode}): {done.stdout} {done.stderr}")
    return elapsed


def _in_process(home: Path, *args: str) -> float:
    from signer.cli.main import run

    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()) as out:
        code = run(["--home", str(home), "--json", *args])
    elapsed = time.perf_counter() - started
    if code not in (0, 4):
        raise SystemExit(f"{args} failed ({code}): {out.getvalue()[:500]}")
    return elapsed


async def _paint(home: Path) -> float:
    """From opening the home to a dashboard showing tokens, queue and journal."""
    from textual.widgets import Static

    from signer.tui.app import AirsignApp
    from signer.usecases.appliance import Appliance

    def shown(tui: AirsignApp, selector: str) -> str:
        return str(tui.screen.query_one(selector, Static).render())

    started = time.perf_counter()
    app = Appliance.open(home)
    try:
        tui = AirsignApp(app)
        async with tui.run_test(size=(100, 30)) as pilot:
            while not ("holder-a" in shown(tui, "#tokens") and "Queue" in shown(tui, "#queue")
                       and "Journal:" in shown(tui, "#backups")):
                await pilot.pause(0.005)
                if time.perf_counter() - started > 120:
                    raise SystemExit("the dashboard never painted")
            if "intact" not in shown(tui, "#backups"):
                raise SystemExit(shown(tui, "#backups"))
            return time.perf_counter() - started
    finally:
        app.close()


async def _screen(home: Path, key: str, shown: str) -> float:
    """From the key on the dashboard to the screen drawn: its ``shown`` widget (the drafts
    view's help line, or the journal table) says something."""
    from textual.widgets import DataTable, Static

    from signer.tui.app import AirsignApp
    from signer.usecases.appliance import Appliance

    app = Appliance.open(home)
    try:
        tui = AirsignApp(app)
        async with tui.run_test(size=(100, 30)) as pilot:
            started = time.perf_counter()
            await pilot.press(key)

            def drawn() -> bool:
                if not tui.screen.query(shown):
                    return False
                if shown.endswith("help"):
                    return bool(str(tui.screen.query_one(shown, Static).render()).strip())
                return bool(tui.screen.query_one(shown, DataTable).row_count)

            while not drawn():
                await pilot.pause(0.005)
                if time.perf_counter() - started > 120:
                    raise SystemExit(f"the {shown} never filled")
            return time.perf_counter() - started
    finally:
        app.close()


def _medians(measure: Callable[[Path], float], homes: dict[str, Path],
             rounds: int = ROUNDS) -> dict[str, float]:
    """Median seconds per home, the homes taking turns in each round (so that the load
    of this shared machine weighs on both alike); a first run warms the page cache."""
    for home in homes.values():
        measure(home)
    times: dict[str, list[float]] = {name: [] for name in homes}
    for _ in range(rounds):
        for name, home in homes.items():
            times[name].append(measure(home))
    return {name: statistics.median(values) for name, values in times.items()}


def _command(call: Callable[..., float], *args: str) -> Callable[[Path], float]:
    return lambda home: call(home, *args)


def commands(homes: dict[str, Path], draft: str) -> dict[str, dict[str, float]]:
    """Median seconds of each command per home, as a process and in this process."""
    figures: dict[str, dict[str, float]] = {}
    ways = (("process", _process, ROUNDS), ("in-process", _in_process, 3 * ROUNDS))
    for where, call, rounds in ways:
        figures[f"drafts ({where})"] = _medians(_command(call, "drafts"), homes, rounds)
        figures[f"show ID ({where})"] = _medians(_command(call, "show", draft), homes, rounds)
    figures["dashboard first paint"] = _medians(lambda h: asyncio.run(_paint(h)), homes)
    figures["TUI Drafts screen open"] = _medians(
        lambda h: asyncio.run(_screen(h, "l", "#drafts-help")), homes)
    figures["TUI Audit screen open"] = _medians(
        lambda h: asyncio.run(_screen(h, "a", "#audit-table")), homes)
    for home in homes.values():
        _process(home, "tokens", "check", "A")  # one more session: login, checkpoint
    for args in (("audit", "verify"), ("screen", draft)):
        for where, call, rounds in ways:
            figures[f"{args[0]} {'ID' if args[0] == 'screen' else args[1]} ({where})"] = (
                _medians(_command(call, *args), homes, rounds))
    return figures


def full_verify(home: Path) -> dict[str, float]:
    def child(mode: str) -> dict[str, Any]:
        done = subprocess.run([sys.executable, "-c", FULL_CHILD, str(home), mode],
                              capture_output=True, text=True, cwd=REPO, timeout=1200,
                              env={**os.environ, "PYTHONPATH": str(REPO)})
        doc = json.loads(done.stdout)
        assert doc["ok"], doc
        return dict(doc)

    runs = [child("time") for _ in range(FULL_ROUNDS)]
    traced = child("trace")
    entries = runs[0]["entries"]
    seconds = statistics.median(r["seconds"] for r in runs)
    return {"entries": entries, "seconds": seconds, "us_per_entry": seconds / entries * 1e6,
            "maxrss_mb": max(r["maxrss_kb"] for r in runs) / 1024,
            "traced_peak_kb": traced["traced_peak"] / 1024}


def main() -> None:
    tokens = bench_tokens()
    for holder in "ABC":
        os.environ[f"AIRSIGN_PIN_{holder}"] = BENCH_PIN
    os.environ["PYTHONPATH"] = str(REPO)
    work = Path(tempfile.mkdtemp(prefix="airsign-bench-history-"))
    started = time.perf_counter()
    base, approved = base_home(work, tokens.module)
    draft = approved[0]
    homes = {}
    for name, entries in SIZES.items():
        t0 = time.perf_counter()
        homes[name] = grown_home(base, work / name, entries, entries // 5, entries)
        print(f"built {name} home: {entries:,} entries in {time.perf_counter() - t0:.1f} s",
              flush=True)
    figures = commands({name: homes[name] for name in ("small", "large")}, draft)
    print(f"\n{'command':<30}{'1k home':>12}{f'{LARGE:,} home':>18}{'ratio':>8}  (target <= 2x)")
    failed = []
    for command, by_home in figures.items():
        small, large = by_home["small"], by_home["large"]
        ratio = large / small
        failed += [command] if ratio > 2 else []
        print(f"{command:<30}{small * 1000:>9.1f} ms{large * 1000:>15.1f} ms{ratio:>7.2f}x")
    full = {name: full_verify(homes[name]) for name in ("mid", "large")}
    print(f"\naudit verify --full          {'10k home':>14}{f'{LARGE:,} home':>18}{'ratio':>8}"
          "  (target <= 1.5x)")
    for key, unit in (("us_per_entry", "us/entry"), ("maxrss_mb", "MB peak RSS"),
                      ("traced_peak_kb", "KB traced")):
        ratio = full["large"][key] / full["mid"][key]
        failed += [f"--full {key}"] if ratio > 1.5 else []
        print(f"  {unit:<27}{full['mid'][key]:>14.1f}{full['large'][key]:>18.1f}{ratio:>7.2f}x")
    print(f"  (whole walk: {full['mid']['seconds']:.2f} s for {full['mid']['entries']:,}, "
          f"{full['large']['seconds']:.2f} s for {full['large']['entries']:,} entries)")
    print(f"\nbench time {time.perf_counter() - started:.0f} s; "
          + ("all within target" if not failed else f"OVER TARGET: {', '.join(failed)}"))
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
