"""Cold start of the CLI against a bare Python start on the same machine.

Integrators run one `airsign` command per draft, so Python's start plus the imports is
paid every time. Targets (issue 18): `airsign --version` within 3x of `python -c pass`,
`airsign --json drafts` on the demo home (six drafts imported) within 6x. Each figure
is the median of ROUNDS runs, interleaved so a busy moment hits all three alike.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ROUNDS = 21
VERSION_LIMIT = 3.0
DRAFTS_LIMIT = 6.0


def _airsign() -> list[str]:
    """The installed `airsign` script, as an integrator runs it (else `python -m signer`)."""
    script = Path(sys.executable).parent / "airsign"
    return [str(script)] if script.exists() else [sys.executable, "-m", "signer"]


def _demo_home() -> tuple[Path, dict[str, str]]:
    """`make demo` in a scratch directory, with its inbox imported."""
    root = Path(tempfile.mkdtemp(prefix="airsign-bench-start-")) / "demo"
    setup = subprocess.run([sys.executable, str(REPO / "scripts" / "demo-setup.py"), str(root)],
                           capture_output=True, text=True, timeout=300)
    if setup.returncode != 0:
        raise SystemExit(f"demo setup failed: {setup.stderr}")
    env = dict(os.environ)
    for line in (root / "env.sh").read_text().splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = value
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    home = root / "home"
    done = subprocess.run([*_airsign(), "--home", str(home), "import", str(root / "inbox")],
                          capture_output=True, text=True, env=env, timeout=300)
    if done.returncode not in (0, 3, 4):  # the demo inbox holds attacks: exit 3
        raise SystemExit(f"demo import failed ({done.returncode}): {done.stderr}")
    return home, env


def _seconds(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, env=env, timeout=60)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()}")
    return elapsed


def main() -> None:
    home, env = _demo_home()
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "airsign --version": [*_airsign(), "--version"],
        "airsign --json drafts": [*_airsign(), "--home", str(home), "--json", "drafts"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(ROUNDS):
        for name, argv in commands.items():
            times[name].append(_seconds(argv, env))
    medians = {name: statistics.median(values) for name, values in times.items()}
    bare = medians["python -c pass"]
    for name, median in medians.items():
        print(f"{name:<24} median {median * 1000:7.1f} ms over {ROUNDS} runs")
    version = medians["airsign --version"] / bare
    drafts = medians["airsign --json drafts"] / bare
    print(f"airsign --version     / python -c pass: {version:4.1f}x (target <= {VERSION_LIMIT}x)")
    print(f"airsign --json drafts / python -c pass: {drafts:4.1f}x (target <= {DRAFTS_LIMIT}x)")
    if version > VERSION_LIMIT or drafts > DRAFTS_LIMIT:
        raise SystemExit("cold start over target")


if __name__ == "__main__":
    main()
