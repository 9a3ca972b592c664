"""`init` and `airgap`."""

from __future__ import annotations

import argparse
from typing import Any

from signer.cli.context import Context, Result
from signer.errors import Exit


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    init = commands.add_parser("init", parents=[common], help="create a home bound to a module")
    init.add_argument("--module", required=True, help="path of the PKCS#11 module (.so)")
    init.set_defaults(func=init_home)
    gap = commands.add_parser("airgap", parents=[common], help="network interfaces that are up")
    gap.set_defaults(func=show_airgap)


def init_home(ctx: Context) -> Result:
    from signer.usecases.appliance import Appliance

    app = Appliance.create(ctx.home_path, ctx.args.module)
    ctx._app = app
    doc = {
        "home": str(ctx.home_path),
        "module": ctx.args.module,
        "holders": app.home.config.holders,
    }
    return Result(doc, f"created airsign home {ctx.home_path} bound to {ctx.args.module}")


def show_airgap(ctx: Context) -> Result:
    from signer.usecases import airgap

    status = airgap.check()
    return Result(status.as_json(), status.summary(), Exit.OK if status.ok else Exit.REJECTED)
