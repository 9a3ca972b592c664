"""PIN prompts and wrong-PIN messages say how many tries remain, and warn before the last.

A holder used to get the same "wrong PIN" five times and then a lockout with no warning.
The prompt now carries the count from the appliance's own counter, and each wrong PIN
says what is left; the code (wrong_pin) and the exit (5) are unchanged.
"""

from __future__ import annotations

from typing import Any

import pytest

from signer.cli import prompts as pin_module
from signer.cli.main import run
from tests.conftest import Cli


class _Terminal:
    """stdin as a terminal, so read_pin prompts (the prompt text is what is checked)."""

    def isatty(self) -> bool:
        return True


def test_wrong_pins_count_down_then_lock(cli: Cli, tmp_path: Any) -> None:
    wrong = tmp_path / "wrong.pin"
    wrong.write_text("definitely-wrong\n")
    messages = []
    for _ in range(5):
        code, doc = cli("--pin-file", str(wrong), "tokens", "check", "A")
        assert code == 5 and doc["error"]["code"] == "wrong_pin"
        messages.append(doc["error"]["message"])
    assert messages[0].endswith("wrong PIN for token 'holder-a': 4 attempts left before "
                                "holder A is locked out")
    assert "3 attempts left" in messages[1] and "2 attempts left" in messages[2]
    assert messages[3].endswith("LAST attempt: one more wrong PIN locks holder A out")
    assert "holder A is now locked out after 5 wrong PINs" in messages[4]
    assert "tokens unlock A --holders X,Y" in messages[4]
    assert cli("--pin-file", str(wrong), "tokens", "check", "A")[0] == 6
    assert "definitely-wrong" not in " ".join(messages)


def test_the_prompt_says_the_attempts_left_and_warns_on_the_last(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prompts: list[str] = []

    def getpass(prompt: str) -> str:
        prompts.append(prompt)
        return "definitely-wrong"

    monkeypatch.delenv("AIRSIGN_PIN_A", raising=False)
    monkeypatch.setattr(pin_module.sys, "stdin", _Terminal())
    monkeypatch.setattr(pin_module.getpass, "getpass", getpass)
    for _ in range(5):
        assert run(["--home", str(cli.home), "tokens", "check", "A"]) == 5
    assert prompts[0] == "PIN for holder A (5 attempts left before holder A is locked out): "
    assert prompts[3] == "PIN for holder A (2 attempts left before holder A is locked out): "
    assert prompts[4] == ("PIN for holder A (LAST attempt: one more wrong PIN locks holder A "
                          "out): ")
    errors = capsys.readouterr().err
    assert "error[wrong_pin]: wrong PIN for token 'holder-a': LAST attempt" in errors
