"""What every command receives: parsed arguments, output mode, the appliance and PINs."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from signer.errors import BadInput, Exit
from signer.hsm.pins import read_pin
from signer.session.appliance import Appliance
from signer.store.home import default_home


@dataclass
class Result:
    """A command's JSON document, its human rendering and its exit code."""

    doc: dict[str, Any]
    text: str
    exit: Exit = Exit.OK


@dataclass
class Context:
    args: argparse.Namespace
    _app: Appliance | None = field(default=None, repr=False)

    @property
    def home_path(self) -> Path:
        return Path(self.args.home) if getattr(self.args, "home", None) else default_home()

    @property
    def app(self) -> Appliance:
        if self._app is None:
            self._app = Appliance.open(self.home_path)
        return self._app

    def pin_reader(self) -> Callable[[str], str]:
        pin_file = getattr(self.args, "pin_file", None)
        return lambda holder: read_pin(holder, Path(pin_file) if pin_file else None)

    def close(self) -> None:
        if self._app is not None:
            self._app.close()


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as BadInput (exit 2, JSON when asked)."""

    def error(self, message: str) -> Any:
        raise BadInput("usage", f"{message} (see '{self.prog} --help')")


Command = Callable[[Context], Result]
