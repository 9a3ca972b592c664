"""`ceremony run`, `wallet show|export|set-safe`, `addresses`, `vault-key add`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from signer.cli.context import Context, Result

# ceremony.wallet_files.FORMATS, named here so that registering the command does not load
# the wallet code (tests/cli/test_cold_start.py checks the two agree).
FORMATS = ("descriptor", "bsms", "coldcard", "caravan", "safe-owners")


def register(commands: Any, common: argparse.ArgumentParser) -> None:
    ceremony = commands.add_parser("ceremony", parents=[common], help="the key ceremony")
    ceremony_actions = ceremony.add_subparsers(dest="ceremony_action", required=True,
                                               metavar="ACTION")
    run = ceremony_actions.add_parser("run", parents=[common], help="run a ceremony file")
    run.add_argument("file", type=Path)
    run.add_argument("--shares-dir", required=True, type=Path)
    run.add_argument("--export-dir", required=True, type=Path)
    run.add_argument("--dice-file", type=Path, help="operator dice rolls (digits 1-6)")
    run.add_argument("--new-wallet", action="store_true",
                     help="replace the registered wallet (all three holders log in)")
    run.set_defaults(func=ceremony_run)

    wallet = commands.add_parser("wallet", parents=[common], help="the registered wallet")
    actions = wallet.add_subparsers(dest="wallet_action", required=True, metavar="ACTION")
    actions.add_parser("show", parents=[common], help="print it").set_defaults(func=wallet_show)
    export = actions.add_parser("export", parents=[common], help="standard wallet exports")
    export.add_argument("--format", required=True, help=", ".join(FORMATS))
    export.add_argument("--out", required=True, type=Path)
    export.set_defaults(func=wallet_export)
    safe = actions.add_parser("set-safe", parents=[common], help="register the deployed Safe")
    safe.add_argument("address")
    safe.add_argument("--holders", required=True)
    safe.add_argument("--nonce", default="0",
                      help="the Safe's current nonce on chain, as read there (default 0)")
    safe.set_defaults(func=wallet_set_safe)
    moved = actions.add_parser("safe-nonce", parents=[common],
                               help="record the Safe's nonce on chain (two holders)")
    moved.add_argument("nonce")
    moved.add_argument("--holders", required=True)
    moved.add_argument("--reason", required=True)
    moved.set_defaults(func=wallet_safe_nonce)

    listing = commands.add_parser("addresses", parents=[common], help="registered addresses")
    listing.add_argument("--change", action="store_true")
    listing.add_argument("--count", type=int, default=5)
    listing.set_defaults(func=list_addresses)

    vault = commands.add_parser("vault-key", parents=[common], help="vault-system keys")
    vault_actions = vault.add_subparsers(dest="vault_action", required=True, metavar="ACTION")
    add = vault_actions.add_parser("add", parents=[common], help="register an Ed25519 key")
    add.add_argument("file", type=Path)
    add.add_argument("--id", required=True, dest="key_id")
    add.add_argument("--holders", required=True)
    add.set_defaults(func=vault_key_add)


def ceremony_run(ctx: Context) -> Result:
    from ceremony.entropy import read_dice_file
    from ceremony.run import CeremonyOptions, run_ceremony
    from signer.cli.prompts import read_passphrase

    args = ctx.args
    dice = read_dice_file(args.dice_file) if args.dice_file else None
    options = CeremonyOptions(args.shares_dir, args.export_dir, dice, args.new_wallet)
    summary = run_ceremony(ctx.app, args.file, options, ctx.pin_reader(), read_passphrase)
    lines = [f"wallet {summary['wallet']} registered", f"descriptor {summary['descriptor']}",
             f"first receive address {summary['first_address']}"]
    for holder in summary["holders"]:
        lines.append(f"holder {holder['id']}: fingerprint {holder['fingerprint']}, "
                     f"{holder['keys']} keys imported, {len(holder['cards'])} share cards")
    return Result(summary, "\n".join(lines))


def wallet_show(ctx: Context) -> Result:
    from signer.chains.registered_wallet import summary_lines, wallet_summary
    from signer.usecases.wallet import load_wallet

    doc = wallet_summary(load_wallet(ctx.app))
    return Result(doc, "\n".join(summary_lines(doc)))


def wallet_export(ctx: Context) -> Result:
    from ceremony.wallet_files import render
    from signer.store.files import write_new
    from signer.usecases.wallet import load_wallet

    text = render(load_wallet(ctx.app), ctx.args.format)
    write_new(ctx.args.out, text.encode())
    return Result({"files": [str(ctx.args.out)]}, f"wrote {ctx.args.out}")


def wallet_set_safe(ctx: Context) -> Result:
    from signer.usecases import governance, safe_nonces

    nonce = safe_nonces.parse_nonce(ctx.args.nonce, "--nonce")
    safe = governance.set_safe(ctx.app, ctx.args.address, ctx.args.holders, ctx.pin_reader(),
                               nonce)
    return Result({"safe": safe, "nonce": nonce}, f"Safe {safe} registered at nonce {nonce}")


def wallet_safe_nonce(ctx: Context) -> Result:
    from signer.usecases import safe_nonces

    doc = safe_nonces.record_chain_nonce(ctx.app, ctx.args.nonce, ctx.args.holders,
                                         ctx.args.reason, ctx.pin_reader())
    return Result(doc, f"Safe {doc['safe']}: chain nonce {doc['nonce']} recorded "
                  f"(was {doc['previous']}); the next nonce signed is {doc['expected']}")


def list_addresses(ctx: Context) -> Result:
    from signer.chains.registered_wallet import address_lines, addresses
    from signer.usecases.wallet import load_wallet

    doc = addresses(load_wallet(ctx.app), ctx.args.change, ctx.args.count)
    lines = address_lines(doc)
    return Result(doc, "\n".join(lines))


def vault_key_add(ctx: Context) -> Result:
    from signer.usecases import governance

    key = governance.add_vault_key(ctx.app, ctx.args.file, ctx.args.key_id, ctx.args.holders,
                                   ctx.pin_reader())
    doc = {"key_id": ctx.args.key_id, "public_key": key.hex()}
    return Result(doc, json.dumps(doc))
