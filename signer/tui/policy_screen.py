"""The applied risk policy, or a plain statement that nothing will be signed without one."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from signer.tui.widgets import plain
from signer.usecases.appliance import Appliance
from signer.usecases.policy import active_policy, describe


class PolicyScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, appliance: Appliance) -> None:
        super().__init__()
        self.appliance = appliance

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="policy-body"):
            yield Static(policy_text(self.appliance), id="policy", classes="panel")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#policy-body").focus()


def policy_text(app: Appliance) -> str:
    policy = active_policy(app)
    if policy is None:
        return ("[!] NO POLICY APPLIED: nothing will be signed.\n"
                "Two holders apply one with 'airsign policy apply FILE --holders H,H'.")
    doc = describe(policy)
    body: dict[str, Any] = doc["policy"]
    lines = [f"Applied policy {doc['hash']}", f"  from {plain(str(doc['source']))}",
             f"  default delay {body['default_delay']}, plain drafts "
             f"{'accepted' if body['accept_plain_drafts'] else 'refused'}", "Assets"]
    for symbol, asset in body["assets"].items():
        contract = f" contract {asset['contract']}" if asset.get("contract") else ""
        lines.append(f"  {symbol} ({asset['chain']}{contract}): at most "
                     f"{asset['max_per_draft']} per draft")
        lines += [f"    per {w['period']}: at most {w['max_total']} in {w['max_count']} draft(s)"
                  for w in asset["windows"]]
        fees = [f"{k.removeprefix('max_').replace('_', ' ')} <= {asset[k]}"
                for k in ("max_fee", "max_fee_percent", "max_fee_rate") if asset.get(k)]
        if fees:
            lines.append("    fees: " + ", ".join(fees))
    destinations, breaker = body["destinations"], body["circuit_breaker"]
    allow = doc["allowlist"]
    lines += [
        "Destinations",
        f"  first-time destination: {destinations['first_time']}",
        f"  allowlist: {len(allow)} address(es)" if allow is not None else "  allowlist: none",
        f"  denylist: {len(doc['denylist'])} address(es)",
        "Circuit breaker",
        f"  opens after more than {breaker['max_flagged']} flagged drafts in {breaker['period']}",
    ]
    return "\n".join(lines)
