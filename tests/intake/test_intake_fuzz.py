"""Whatever lands on the media, scan() answers with drafts or named refusals, never an exception."""

from __future__ import annotations

import base64
import io
import json
import re
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from intake_samples import (
    VAULT,
    draft,
    draft_bytes,
    envelope_bytes,
    envelope_obj,
    psbt,
    run,
    safe_tx,
)
from PIL import Image

from signer.chains.bitcoin.psbt_file import read_psbt
from signer.chains.ethereum.safe_tx import parse_safe_tx_json
from signer.transport.envelope import seal
from signer.transport.qr import png_frame, ur_parts
from signer.transport.ur import UR, encode_single

CODE = re.compile(r"[a-z][a-z0-9_]*")


def gif(contents: list[str]) -> bytes:
    frames = [Image.open(io.BytesIO(png_frame(c, scale=2))).convert("L") for c in contents]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:], loop=0)
    return out.getvalue()


@cache
def seeds() -> dict[str, bytes]:
    """One valid example of every accepted format."""
    small = ur_parts(envelope_bytes(draft_bytes("ethereum")), "bytes", max_fragment_len=300)
    return {
        "psbt": psbt(),
        "psbt-base64": base64.b64encode(psbt()),
        "envelope-btc": envelope_bytes(draft_bytes("bitcoin")),
        "envelope-eth": seal(draft_bytes("ethereum"), VAULT, "vault-2026"),
        "draft-btc": draft_bytes("bitcoin"),
        "draft-eth": draft_bytes("ethereum"),
        "safe-tx": json.dumps(safe_tx()).encode(),
        "ur-single": encode_single(UR.wrap("crypto-psbt", psbt())).encode(),
        "ur-multi": "\n".join(ur_parts(psbt(), max_fragment_len=120)).encode(),
        "ur-multi-bytes": "\n".join(small).encode(),
        "qr-gif-ur": gif(small),
        "qr-png-psbt": png_frame(base64.b64encode(psbt()).decode(), scale=2),
    }


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    """A valid example with a few byte-level edits: flips, cuts, inserts, splices."""
    data = bytearray(seeds()[draw(st.sampled_from(sorted(seeds())))])
    for _ in range(draw(st.integers(0, 4))):
        where = draw(st.integers(0, max(0, len(data) - 1)))
        edit = draw(st.sampled_from(["flip", "cut", "insert", "delete", "splice"]))
        if edit == "flip" and data:
            data[where] ^= 1 << draw(st.integers(0, 7))
        elif edit == "cut":
            del data[where:]
        elif edit == "insert":
            data[where:where] = draw(st.binary(min_size=1, max_size=8))
        elif edit == "delete":
            del data[where : where + draw(st.integers(1, 16))]
        else:
            other = seeds()[draw(st.sampled_from(sorted(seeds())))]
            data[where:] = other[draw(st.integers(0, len(other))):]
    return bytes(data)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12)
    | st.sampled_from(["", "0", "1e3", "0x" + "11" * 20, "2026-11-22T10:00:00Z", "cHNidP8=",
                       "\ud800", "a\nb", "\u202e", "\u2028"]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.text(max_size=6) | st.sampled_from(["\udfff", "\n"]), inner,
                      max_size=3),
    max_leaves=6,
)


def _replace(doc: dict[str, Any], path: list[str], value: Any) -> None:
    target = doc
    for key in path[:-1]:
        if not isinstance(target.get(key), dict):
            return
        target = target[key]
    target[path[-1]] = value


FIELD_PATHS = [
    ["id"], ["created_at"], ["chain"], ["network"], ["format"], ["request"], ["extra"],
    ["request", "amount"], ["request", "reference"], ["payload"], ["payload", "psbt"],
    ["payload", "safe_tx"], ["payload", "safe_tx", "to"], ["payload", "safe_tx", "nonce"],
]  # fmt: skip


@st.composite
def signed_field_edits(draw: st.DrawFn) -> bytes:
    """A correctly signed (or plain) draft whose fields hold arbitrary JSON values."""
    doc = draft(draw(st.sampled_from(["bitcoin", "ethereum"])))
    for _ in range(draw(st.integers(1, 3))):
        _replace(doc, draw(st.sampled_from(FIELD_PATHS)), draw(JSON_VALUES))
    body = json.dumps(doc).encode()
    return json.dumps(envelope_obj(body)).encode() if draw(st.booleans()) else body


PREFIXES = [b"psbt\xff", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"\xff\xd8\xff", b"ur:bytes/",
            b"UR:CRYPTO-PSBT/1-3/", b"{", b'{"format": "airsign-envelope/1", ', b"cHNidP8"]

ANY_INPUT = (
    mutated()
    | signed_field_edits()
    | st.binary(max_size=600)
    | st.builds(lambda p, b: p + b, st.sampled_from(PREFIXES), st.binary(max_size=200))
)


def check(contents: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for number, content in enumerate(contents):
            path = Path(folder) / f"input{number}.bin"
            path.write_bytes(content)
            paths.append(path)
        result = run(Path(folder))
    for refusal in result.refused:
        event(f"refused {refusal.code}")
        assert CODE.fullmatch(refusal.code) and refusal.code != "internal_error", refusal
        assert refusal.message and refusal.source in refusal.message, refusal
        assert refusal.message.isprintable() and refusal.source.isprintable(), refusal
        assert refusal.sha256, refusal
    for found in result.drafts:
        event(f"draft {found.chain}{' enveloped' if found.envelope else ''}")
        assert found.source and found.source_sha256
        if found.chain == "bitcoin":
            read_psbt(found.payload, "check")
        else:
            parse_safe_tx_json(found.payload, "check")
    named = [d.source for d in result.drafts] + [r.source for r in result.refused]
    for path in paths:
        assert any(str(path) in source for source in named), f"{path} not accounted for"


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(ANY_INPUT, min_size=1, max_size=3))
def test_scan_answers_every_input(contents: list[bytes]) -> None:
    check(contents)


@pytest.mark.fuzz
@settings(max_examples=10_000, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(ANY_INPUT, min_size=1, max_size=3))
def test_scan_answers_every_input_long(contents: list[bytes]) -> None:
    check(contents)


def test_every_seed_is_a_draft() -> None:
    """The fuzz starts from inputs that are accepted: otherwise it would test little."""
    for name, content in seeds().items():
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / name).write_bytes(content)
            result = run(Path(folder))
        assert len(result.drafts) == 1 and result.refused == [], (name, result)
