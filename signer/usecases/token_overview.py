"""What the appliance knows about tokens: presence, mapping to holders, lockouts."""

from __future__ import annotations

from typing import Any

from signer.store import lockouts
from signer.usecases.appliance import Appliance


def token_overview(app: Appliance) -> dict[str, Any]:
    """The `tokens` document: every slot with a token, and every holder's state."""
    present = app.gateway.tokens()
    mapping = app.holder_tokens()
    holder_of = {label: holder for holder, label in mapping.items()}
    labels = {t.label for t in present}
    tokens = [
        {
            "slot": t.slot_id,
            "label": t.label,
            "serial": t.serial,
            "model": t.model,
            "initialized": t.initialized,
            "holder": holder_of.get(t.label),
        }
        for t in present
    ]
    holders = []
    for holder, label in sorted(mapping.items()):
        state = lockouts.state(app.conn, holder)
        holders.append(
            {
                "id": holder,
                "token": label,
                "present": label in labels,
                "failures": state.failures,
                "locked": state.locked,
                "locked_at": state.locked_at,
            }
        )
    return {"module": app.home.config.module, "tokens": tokens, "holders": holders}
