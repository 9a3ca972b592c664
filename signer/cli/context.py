"""What every command receives: parsed arguments, output mode, the appliance and PINs."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from signer.cli.help_text import epilog_for, with_help_text
from signer.errors import BadInput, Exit

if TYPE_CHECKING:  # the appliance pulls in the HSM and the store: only commands that need it
    from signer.usecases.appliance import Appliance


# Plain classes, not dataclasses: loading `dataclasses` (and `inspect` with it) is a
# noticeable share of `airsign --version` (start-up time, tests/cli/test_cold_start.py).
class Result:
    """A command's JSON document, its human rendering and its exit code."""

    def __init__(self, doc: dict[str, Any], text: str, exit: Exit = Exit.OK) -> None:
        self.doc = doc
        self.text = text
        self.exit = exit


class Context:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self._app: Appliance | None = None

    @property
    def home_path(self) -> Path:
        from signer.store.home import default_home

        return Path(self.args.home) if getattr(self.args, "home", None) else default_home()

    @property
    def app(self) -> Appliance:
        if self._app is None:
            from signer.usecases.appliance import Appliance

            self._app = Appliance.open(self.home_path)
            notice = self._app.home.stale_lock_notice()
            if notice:  # on stderr: the --json document on stdout stays one document
                print(f"notice: {notice}", file=sys.stderr)
        return self._app

    def pin_reader(self) -> Callable[[str], str]:
        from signer.cli.prompts import read_pin
        from signer.store import lockouts

        pin_file = getattr(self.args, "pin_file", None)

        def reader(holder: str) -> str:
            # The prompt says how many tries remain, and warns before the last one.
            name = holder.strip().upper()
            limit = self.app.home.config.settings.max_pin_failures
            left = lockouts.attempts_left(self.app.conn, name, limit)
            return read_pin(holder, Path(pin_file) if pin_file else None,
                            attempts=lockouts.attempts_note(name, left))

        return reader

    def close(self) -> None:
        if self._app is not None:
            self._app.close()


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as BadInput (exit 2, JSON when asked) and whose
    help pages name the exit codes, the environment and the draft-id rule."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        with_help_text(self)

    def format_help(self) -> str:
        if self.epilog is None:
            self.epilog = epilog_for(self)
        return super().format_help()

    def error(self, message: str) -> Any:
        raise BadInput("usage", f"{message} (see '{self.prog} --help')")


Command = Callable[[Context], Result]
