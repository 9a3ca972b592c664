"""The ceremony a recovery test starts from (shared by conftest and the tests)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from signer.usecases.appliance import Appliance
from softhsm.pytest_plugin import TEST_SO_PIN, TEST_USER_PIN
from softhsm.tokens import TokenSet, create_token_set
from tests.conftest import Cli

VALID_CEREMONY = Path(__file__).parents[1] / "ceremony" / "data" / "valid-ceremony.toml"
PASSPHRASE_C = "custodians of carol"


@dataclass(frozen=True)
class Ceremony:
    """A home with a registered wallet, its tokens and the share cards."""

    home: Path
    tokens: TokenSet
    shares: Path
    cli: Cli

    def card(self, name: str) -> Path:
        return self.shares / f"{name}.txt"

    def new_token(self, label: str) -> None:
        """Initialise one more token in the same token directory (as a new HSM)."""
        create_token_set(self.tokens.directory, (label,), TEST_SO_PIN, TEST_USER_PIN)

    def open(self) -> Appliance:
        return Appliance.open(self.home)

