"""Changes to public registrations that need two holders: the Safe address, vault keys."""

from __future__ import annotations

from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

from signer.chains.ethereum.fields import parse_address
from signer.errors import BadInput
from signer.operator_files import read_small_file
from signer.store import journal, registry
from signer.store.db import transaction
from signer.transport.envelope import KEY_ID
from signer.usecases import logins
from signer.usecases.appliance import Appliance
from signer.usecases.safe_nonces import write_recorded
from signer.usecases.wallet import load_wallet

MAX_KEY_FILE = 16 * 1024


def checked_address(text: str, where: str) -> str:
    """The Safe's address as the Safe parser reads addresses (0x + 40 hex digits, mixed
    case only with a valid EIP-55 checksum), with this command's error code."""
    try:
        return parse_address(text, where, "ADDRESS")
    except BadInput as error:
        if error.code == "bad_checksum":
            raise
        raise BadInput("bad_address", error.message) from None


def set_safe(
    app: Appliance, address: str, holders: str, read_pin: logins.PinReader, nonce: int = 0
) -> str:
    """Register the deployed Safe's address (two holders) and its nonce on chain as the
    operator read it (the first nonce it signs: safe_nonces.py)."""
    wallet = load_wallet(app)
    if wallet.chain_id is None:
        raise BadInput("no_ethereum", f"wallet {wallet.name!r} has no [ethereum] section")
    safe = checked_address(address, "wallet set-safe")
    quorum = logins.distinct_holders(holders, 2)
    with logins.holders_logged_in(app, quorum, read_pin), transaction(app.conn):
        entry = journal.append(app.conn, "safe_registered", ",".join(quorum),
                               {"safe": safe, "previous": wallet.safe, "by": quorum,
                                "nonce": nonce}, app.clock)
        registry.update_wallet(app.conn, wallet.with_safe(safe).document())
        write_recorded(app, safe, wallet.chain_id, nonce, entry.seq)
    return safe


def load_vault_key(path: Path) -> bytes:
    """An Ed25519 public key in PEM; returns the raw 32 bytes."""
    data = read_small_file(path, MAX_KEY_FILE, "bad_vault_key", "vault key")
    try:
        key = load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise BadInput("bad_vault_key", f"{path}: expected an Ed25519 public key in PEM") from None
    if not isinstance(key, Ed25519PublicKey):
        raise BadInput("bad_vault_key", f"{path}: expected an Ed25519 public key, "
                       f"got {type(key).__name__}")
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def add_vault_key(
    app: Appliance, path: Path, key_id: str, holders: str, read_pin: logins.PinReader
) -> bytes:
    """Register the online vault system's envelope key (two holders)."""
    if not KEY_ID.fullmatch(key_id):  # the id envelopes carry: ASCII only
        raise BadInput("bad_key_id", f"--id {key_id!r}: expected 1-64 letters, digits, - or _")
    public_key = load_vault_key(path)
    if key_id in registry.vault_keys(app.conn):
        raise BadInput("key_id_exists", f"--id {key_id}: a vault key with this id is registered")
    quorum = logins.distinct_holders(holders, 2)
    with logins.holders_logged_in(app, quorum, read_pin), transaction(app.conn):
        entry = journal.append(app.conn, "vault_key_added", ",".join(quorum),
                               {"key_id": key_id, "public_key": public_key.hex(), "by": quorum},
                               app.clock)
        registry.add_vault_key(app.conn, key_id, public_key, entry.seq)
    return public_key
