"""The CLI for people and scripts: help pages, error codes in text, closed pipes.

Every command's `--help` describes it and names the exit codes and the environment;
commands taking draft ids explain the prefix rule. Text-mode errors carry the stable
code (`error[CODE]: ...`). Output to a reader that went away (`| head -1`) ends quietly
with 141, the status of a process ended by SIGPIPE.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from signer.cli.main import PIPE_CLOSED, build_parser
from tests.cli.demo_home import REPO, demo_environment, make_demo


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[
        tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every command and subcommand parser, with the words that reach it."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*path, name))


COMMANDS = list(_commands(build_parser()))


def test_every_command_is_walked() -> None:
    names = {" ".join(path) for path, _ in COMMANDS}
    assert {"", "sign", "drafts", "show", "tokens unlock", "audit verify", "tui"} <= names
    assert len(names) > 30


@pytest.mark.parametrize(("path", "parser"), COMMANDS, ids=lambda x: " ".join(x) or "airsign"
                         if isinstance(x, tuple) else "")
def test_every_help_page_describes_the_command_its_exit_codes_and_environment(
    path: tuple[str, ...], parser: argparse.ArgumentParser
) -> None:
    page = parser.format_help()
    assert parser.description, f"airsign {' '.join(path)} has no description"
    assert parser.description in " ".join(page.split())
    for code in ("0  ok", "1  internal error", "2  bad input or usage", "3  rejected by policy",
                 "4  delayed by policy", "5  HSM or token error", "6  holder locked out"):
        assert code in page, f"airsign {' '.join(path)} --help misses exit code {code!r}"
    for variable in ("AIRSIGN_HOME", "AIRSIGN_PIN_<H>", "AIRSIGN_DEBUG"):
        assert variable in page
    takes_ids = any(a.dest in ("id", "ids") for a in parser._actions)
    assert ("prefix of 4 or more hex digits" in page) == takes_ids


def test_sign_help_has_a_description_and_the_id_rule() -> None:
    done = subprocess.run([sys.executable, "-m", "signer", "sign", "--help"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    words = " ".join(done.stdout.split())
    assert "Sign approved drafts with the holders' tokens" in words
    assert "two holders have signed it" in words
    assert "ambiguous_draft" in done.stdout and "exit codes:" in done.stdout


def test_text_errors_carry_their_stable_code(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    done = subprocess.run([sys.executable, "-m", "signer", "--home", str(missing), "drafts"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("error[home_missing]: ")
    done = subprocess.run([sys.executable, "-m", "signer", "frobnicate"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.startswith("error[usage]: ")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_demo(tmp_path_factory.mktemp("pipes") / "demo")


def _to_closed_pipe(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run with stdout a pipe whose reader has already gone (as after `head -1` exits)."""
    process = subprocess.Popen([sys.executable, "-m", "signer", *argv], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    stderr = process.stderr.read()
    return subprocess.CompletedProcess(argv, process.wait(timeout=60), "", stderr)


@pytest.mark.parametrize("command", [["drafts"], ["--json", "drafts"], ["--json", "show"],
                                     ["show"], ["--help"]])
def test_output_to_a_closed_pipe_ends_quietly_with_141(demo: Path, command: list[str]) -> None:
    env = demo_environment(demo.parent)
    if "show" in command:
        listing = subprocess.run([sys.executable, "-m", "signer", "--home", str(demo), "drafts"],
                                 cwd=REPO, capture_output=True, text=True, env=env, timeout=60)
        command = [*command, listing.stdout.split()[0]]
    done = _to_closed_pipe(["--home", str(demo), *command], env)
    assert done.stderr == ""  # no traceback, no "internal error", no "Exception ignored"
    # argparse writes help pages itself and drops a write error: --help still ends with 0.
    assert done.returncode == (0 if command == ["--help"] else PIPE_CLOSED)


@pytest.mark.parametrize("pipeline", ["airsign drafts | head -1",
                                      "airsign --json show $ID | head -1"])
def test_the_shell_pipelines_of_the_issue_end_without_a_traceback(demo: Path,
                                                                  pipeline: str) -> None:
    env = {**demo_environment(demo.parent), "AIRSIGN_HOME": str(demo),
           "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
    script = ("set -o pipefail\nID=$(airsign drafts | head -1 | cut -d' ' -f1)\n"
              f"{pipeline}\necho status=$?")
    done = subprocess.run(["bash", "-c", script], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=60)
    assert "Traceback" not in done.stderr and "internal" not in done.stderr, done.stderr
    assert done.stdout.strip().splitlines()[-1] in ("status=0", f"status={PIPE_CLOSED}")
    assert len(done.stdout.strip().splitlines()) == 2  # one line through head, the status
