"""A ceremony run once per session (valid-ceremony.toml, real SoftHSM tokens), copied per test.

Copying the home and the token directory costs milliseconds; a ceremony costs seconds.
"""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pkcs11
import pytest
from recovery_support import PASSPHRASE_C, VALID_CEREMONY, Ceremony

from signer.cli.main import run
from signer.usecases.appliance import Appliance
from softhsm.pytest_plugin import HOLDER_LABELS, TEST_SO_PIN, TEST_USER_PIN
from softhsm.tokens import TokenSet, create_token_set
from tests.conftest import Cli


def _environment(monkeypatch: pytest.MonkeyPatch, tokens: TokenSet) -> None:
    for name, value in tokens.environment().items():
        monkeypatch.setenv(name, value)
    for holder in "ABC":
        monkeypatch.setenv(f"AIRSIGN_PIN_{holder}", TEST_USER_PIN)
    monkeypatch.setenv("AIRSIGN_PASSPHRASE_C", PASSPHRASE_C)
    pkcs11.lib(tokens.module).reinitialize()


@pytest.fixture(scope="session")
def ceremony_template(softhsm_module: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("ceremony-template")
    tokens = create_token_set(base / "softhsm", HOLDER_LABELS, TEST_SO_PIN, TEST_USER_PIN)
    with pytest.MonkeyPatch.context() as monkeypatch:
        _environment(monkeypatch, tokens)
        Appliance.create(base / "home", softhsm_module).close()
        (base / "shares").mkdir()
        (base / "exports").mkdir()
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = run(["--home", str(base / "home"), "--json", "ceremony", "run",
                        str(VALID_CEREMONY), "--shares-dir", str(base / "shares"),
                        "--export-dir", str(base / "exports")])
        assert code == 0, out.getvalue()
    return base


@pytest.fixture
def ceremony(
    ceremony_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], softhsm_module: str,
) -> Ceremony:
    """A private copy of the session's ceremony: home, tokens and cards."""
    base = tmp_path / "ceremony"
    shutil.copytree(ceremony_template, base)
    conf = base / "softhsm" / "softhsm2.conf"
    conf.write_text(conf.read_text().replace(str(ceremony_template), str(base)))
    tokens = TokenSet(base / "softhsm", conf, softhsm_module, HOLDER_LABELS)
    _environment(monkeypatch, tokens)
    return Ceremony(base / "home", tokens, base / "shares", Cli(base / "home", capsys))
