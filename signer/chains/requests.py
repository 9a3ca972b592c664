"""What a vault's request for a transfer says, against what the payload was decoded to do.

The vault's words are compared with the decoded effect; each problem names which side
says what. Kinds that move funds use this; a kind with other requests has its own.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from signer.chains.facts import DraftFacts
from signer.chains.finding import Finding


def transfer_request_findings(
    request: Mapping[str, Any], facts: DraftFacts, normalise: Callable[[str], str]
) -> list[Finding]:
    problems = []
    if request.get("asset") != facts.asset:
        problems.append(f"asset: request {request.get('asset')}, payload {facts.asset}")
    try:
        if Decimal(str(request.get("amount"))) != facts.amount:
            problems.append(f"amount: request {request.get('amount')} {request.get('asset')}, "
                            f"payload {facts.amount} {facts.asset}")
    except ArithmeticError:
        problems.append(f"amount: request \"{request.get('amount')}\" is not a number")
    if not _same_destination(facts, str(request.get("destination", "")), normalise):
        problems.append(f"destination: request {request.get('destination')}, payload "
                        f"{', '.join(facts.destinations) or 'none'}")
    if not problems:
        return []
    return [Finding("request_mismatch", "the payload does not do what the request says: "
                    + "; ".join(problems))]


def _same_destination(
    facts: DraftFacts, requested: str, normalise: Callable[[str], str]
) -> bool:
    if len(facts.destinations) != 1:
        return False
    try:
        return normalise(requested) == normalise(facts.destinations[0])
    except ValueError:
        return False
