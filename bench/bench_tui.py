"""Start-up of `airsign tui` to a painted dashboard (target < 1.5 s), in a real terminal.

Each round spawns a new `python -m signer tui` in a tmux pane (100x30) on a home with
a registered wallet and an applied policy, and stops the clock when the pane shows
the tokens panel with every holder's token present: Python start, imports, the
PKCS#11 module's initialisation and the first token listing are all inside it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._tokens import BENCH_PIN, bench_tokens
from signer.cli.main import run

REPO = Path(__file__).resolve().parent.parent
ROUNDS = 7
SOCKET = f"airsign-bench-{os.getpid()}"
TARGET_SECONDS = 1.5


def _home() -> Path:
    """A home with the pipeline tests' small ceremony and policy."""
    home = Path(tempfile.mkdtemp(prefix="airsign-bench-tui-")) / "home"
    for holder in "ABC":
        os.environ[f"AIRSIGN_PIN_{holder}"] = BENCH_PIN
    data = REPO / "tests" / "pipeline" / "data"
    out = home.parent
    (out / "shares").mkdir()
    (out / "exports").mkdir()
    steps = [["init", "--module", os.environ["AIRSIGN_PKCS11_MODULE"]],
             ["ceremony", "run", str(data / "ceremony.toml"), "--shares-dir",
              str(out / "shares"), "--export-dir", str(out / "exports")],
             ["policy", "apply", str(data / "policy.toml"), "--holders", "A,B"]]
    with open(os.devnull, "w") as quiet:
        for step in steps:
            stdout, sys.stdout = sys.stdout, quiet
            try:
                code = run(["--home", str(home), "--json", *step])
            finally:
                sys.stdout = stdout
            if code != 0:
                raise SystemExit(f"bench setup failed at {step[0]} (exit {code})")
    return home


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True,
                          check=True, timeout=30).stdout


def _one_start(home: Path) -> float:
    start = time.perf_counter()
    _tmux("new-session", "-d", "-s", "tui", "-x", "100", "-y", "30", "-c", str(REPO),
          "-e", f"SOFTHSM2_CONF={os.environ['SOFTHSM2_CONF']}", "-e", f"AIRSIGN_HOME={home}",
          "-e", "COLUMNS=100", "-e", "LINES=30", f"{sys.executable} -m signer tui")
    try:
        while time.perf_counter() - start < 30:
            pane = _tmux("capture-pane", "-p", "-t", "tui")
            if pane.count("present  0 failed PIN(s)") == 3 and "Policy:" in pane:
                return time.perf_counter() - start
            time.sleep(0.01)
        raise SystemExit("the dashboard never painted")
    finally:
        _tmux("kill-server")
        time.sleep(0.2)  # the killed app releases the home's lock


def main() -> None:
    bench_tokens()
    home = _home()
    times = [_one_start(home) for _ in range(ROUNDS)]
    median = statistics.median(times)
    print(f"airsign tui start-up to a painted dashboard (tmux 100x30, {ROUNDS} runs): "
          f"median {median:.2f} s, min {min(times):.2f} s, max {max(times):.2f} s "
          f"(target < {TARGET_SECONDS} s)")


if __name__ == "__main__":
    main()
