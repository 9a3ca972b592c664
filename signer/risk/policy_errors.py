"""Turn pydantic validation errors into one operator message: file, field path, expectation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from signer.risk.policy import FieldProblem


def field_path(loc: Sequence[str | int]) -> str:
    """Dotted path with list indexes in brackets: ``assets.BTC.windows[1].period``."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part == "[key]":
            path += " (name)"
        else:
            path += f".{part}" if path else part
    return path or "(top level)"


def _allowed_keys(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """Keys the model at ``loc`` (the parent of an unknown key) accepts."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, str) and isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(part)
            if field is not None:
                current = _model_inside(field.annotation)
        # list indexes and dict keys (asset symbols) keep the element model
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _model_inside(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in getattr(annotation, "__args__", ()) or ():
        found = _model_inside(argument)
        if found is not None:
            return found
    metadata = getattr(annotation, "__origin__", None)
    return _model_inside(metadata) if metadata is not None and metadata is not annotation else None


def _expectation(error: ErrorDetails, model: type[BaseModel]) -> tuple[tuple[str | int, ...], str]:
    loc = tuple(error["loc"])
    kind = error["type"]
    context = error.get("ctx") or {}
    cause = context.get("error")
    if isinstance(cause, FieldProblem):
        return loc + cause.path, cause.expected
    if kind == "value_error" and cause is not None:
        return loc, str(cause)
    if kind == "missing":
        return loc, "a value (this field is required)"
    if kind == "extra_forbidden":
        allowed = ", ".join(_allowed_keys(model, loc))
        return loc, f"no such key (unknown key; allowed here: {allowed})"
    if kind == "literal_error":
        return loc, f"one of {context.get('expected', '')}"
    if kind == "string_pattern_mismatch" and loc[-1:] == ("[key]",):
        return loc, "an asset symbol: A-Z then up to 11 of A-Z0-9"
    message = error["msg"]
    for prefix in ("Input should be ", "Value should have ", "Value error, "):
        if message.startswith(prefix):
            message = message[len(prefix) :]
    return loc, message


def describe(error: ValidationError, where: str, model: type[BaseModel]) -> str:
    """``<where>: field '<path>': expected <what>``, one clause per problem."""
    clauses = []
    for detail in error.errors():
        loc, expected = _expectation(detail, model)
        clauses.append(f"field '{field_path(loc)}': expected {expected}")
    return f"{where}: " + "; ".join(clauses)
