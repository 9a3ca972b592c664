"""The applied risk policy: check, apply (two holders), show. No policy, no signing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from signer.risk import Policy, load_canonical_policy, load_policy
from signer.store import journal, policies
from signer.store.db import transaction
from signer.usecases import logins
from signer.usecases.appliance import Appliance

# Validated policies by their exact stored bytes and source: a Policy is immutable (frozen
# dataclass over frozen pydantic models), and the same bytes always validate the same way.
_VALIDATED: dict[tuple[bytes, str], Policy] = {}
_VALIDATED_MAX = 16


def active_policy(app: Appliance) -> Policy | None:
    """The applied policy as stored at `policy apply` (later edits on disk do not count).

    Read from the state on every call (a new policy counts at once); the validation of
    bytes already validated in this process is reused.
    """
    stored = policies.active(app.conn)
    if stored is None:
        return None
    key = (stored[0], f"applied policy ({stored[1]})")
    policy = _VALIDATED.get(key)
    if policy is None:
        policy = load_canonical_policy(*key)
        if len(_VALIDATED) >= _VALIDATED_MAX:
            _VALIDATED.clear()
        _VALIDATED[key] = policy
    return policy


def describe(policy: Policy) -> dict[str, Any]:
    document = policy.document.model_dump(mode="json")
    return {"hash": policy.hash, "source": policy.source, "policy": document,
            "allowlist": sorted(policy.allowlist) if policy.allowlist is not None else None,
            "denylist": sorted(policy.denylist)}


def check_policy(path: Path) -> dict[str, Any]:
    return describe(load_policy(path))


def apply_policy(
    app: Appliance, path: Path, holders: str, read_pin: logins.PinReader
) -> dict[str, Any]:
    """Validate, then store the policy as the active one; two holders log in."""
    policy = load_policy(path)
    quorum = logins.distinct_holders(holders, 2)
    previous = active_policy(app)
    with logins.holders_logged_in(app, quorum, read_pin), transaction(app.conn):
        entry = journal.append(
            app.conn, "policy_applied", ",".join(quorum),
            {"hash": policy.hash, "previous": previous.hash if previous else None,
             "source": str(path), "by": quorum},
            app.clock,
        )
        policies.activate(app.conn, policy.hash, policy.canonical, str(path), entry.seq)
    return describe(policy)
