"""Turn files, directories and QR images into untrusted drafts or clear refusals."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from signer.errors import BadInput
from signer.transport.envelope import envelope_payload, open_envelope, parse_plain_draft
from signer.transport.incoming import DraftFormat, Envelope, IncomingDraft, RefusedInput
from signer.transport.intake.detect import (
    Kind,
    detect,
    psbt_from_base64,
    unknown_kind,
    without_bom,
)
from signer.transport.intake.files import Budget, FileBytes, shown, walk
from signer.transport.intake.ur_join import JoinedUR, URCollector
from signer.transport.qr import PixelBudget, read_qr_image

# Refused UR parts named one by one per file; the rest are counted in one entry, so a
# file of damaged parts is a few lines in the report and the journal, not thousands.
_NAMED_PART_REFUSALS = 3
_ONCE_PER_IMPORT = ("ur_too_costly", "ur_too_many_parts")  # reported once already


@dataclass(frozen=True)
class Limits:
    """Caps for one scan; ``max_files`` counts every entry examined, directories too."""

    max_file_bytes: int = 1024 * 1024
    max_files: int = 1000
    max_depth: int = 8


@dataclass(frozen=True)
class PayloadChecks:
    """The kinds of draft a payload may be, and the strict parser each must pass (raises
    BadInput); injected by the use case: transport may not import the chains."""

    formats: Sequence[DraftFormat]
    check: Callable[[str, bytes, str], object]  # (kind, payload, source)

    def bare(self, form: str) -> DraftFormat | None:
        return next((f for f in self.formats if form and f.bare_format == form), None)


def request_words(request: dict[str, Any], form: DraftFormat) -> str:
    """A checked request in one line, for a plain draft's note (shown escaped later)."""
    if form.request_shape == "message":
        return f"message {json.dumps(request['message'][:80])}"
    return f"{request['amount']} {request['asset']} to {request['destination']}"


@dataclass(frozen=True)
class IntakeResult:
    drafts: list[IncomingDraft] = field(default_factory=list)
    refused: list[RefusedInput] = field(default_factory=list)


def scan(
    paths: list[Path], vault_keys: dict[str, bytes], limits: Limits, checks: PayloadChecks
) -> IntakeResult:
    """Every draft found under ``paths``; everything else is refused with a reason."""
    intake = _Intake(vault_keys, checks)
    for item in walk(paths, Budget(limits.max_file_bytes, limits.max_files, limits.max_depth)):
        if isinstance(item, FileBytes):
            intake.guarded(intake.file, item)
        else:
            intake.result.refused.append(item)
    intake.counted_parts()
    for joined in intake.urs.finish():
        if isinstance(joined, JoinedUR):
            intake.guarded(intake.joined, joined)
        else:
            intake.result.refused.append(joined)
    # Parsers quote hostile text (key names, values) in messages: escape what could
    # forge or garble a line of the operator's output.
    refused = [replace(r, message=shown(r.message)) for r in intake.result.refused]
    return IntakeResult(intake.result.drafts, refused)


@dataclass(frozen=True)
class _Piece:
    """Bytes to judge: where they are, which file they came from, what they may contain."""

    data: bytes
    source: str
    origin: str
    images: bool = True
    urs: bool = True
    notes: tuple[str, ...] = ()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


class _Intake:
    def __init__(self, vault_keys: dict[str, bytes], checks: PayloadChecks) -> None:
        self.vault_keys = vault_keys
        self.checks = checks
        self.urs = URCollector()  # one UR decoding budget for the whole import
        self.pixels = PixelBudget()  # and one pixel budget for all its images
        self.named_parts: dict[str, int] = {}  # refused UR parts named, per file
        self.more_parts: dict[str, Counter[str]] = {}  # and counted past those
        self.file_sha256: dict[str, str] = {}  # each file read, for those counted refusals
        self.result = IntakeResult()

    def guarded(self, action: Callable[[Any], None], item: FileBytes | JoinedUR) -> None:
        """Run one file's work; whatever it raises becomes that file's refusal."""
        try:
            action(item)
        except BadInput as exc:
            self._refuse(item.source, exc.code, exc.message, item.sha256)
        except Exception as exc:  # a parser bug must not stop the other files
            self._refuse(item.source, "internal_error", f"{item.source}: could not be examined "
                         f"({type(exc).__name__}); please report this file", item.sha256)

    def file(self, item: FileBytes) -> None:
        self.file_sha256[item.source] = item.sha256  # named by its counted refusals, if any
        self.piece(_Piece(item.data, item.source, item.source))

    def joined(self, joined: JoinedUR) -> None:
        piece = _Piece(joined.payload, joined.source, joined.source, False, False, joined.notes)
        if joined.ur_type == "bytes":
            self.piece(piece)
        else:  # ur:psbt and ur:crypto-psbt hold a binary PSBT by definition
            self.psbt(piece, piece.data)

    def piece(self, piece: _Piece) -> None:
        try:
            self._dispatch(piece, detect(piece.data, piece.source))
        except BadInput as exc:
            self._refuse(piece.source, exc.code, exc.message, piece.sha256)

    def _dispatch(self, piece: _Piece, kind: Kind) -> None:
        if kind is Kind.PSBT:
            self.psbt(piece, piece.data)
        elif kind is Kind.PSBT_BASE64:
            self.psbt(piece, psbt_from_base64(without_bom(piece.data)) or b"")
        elif kind is Kind.ENVELOPE:
            envelope = open_envelope(without_bom(piece.data), piece.source, self.vault_keys,
                                     self.checks.formats)
            self.draft(piece, envelope.draft, envelope)
        elif kind is Kind.PLAIN_DRAFT:
            self.draft(piece, parse_plain_draft(without_bom(piece.data), piece.source,
                                                self.checks.formats), None)
        elif kind is Kind.SAFE_TX:
            self.bare(piece, "safe_tx", without_bom(piece.data))
        elif kind is Kind.PROOF_REQUEST:
            self.bare(piece, "proof_request", without_bom(piece.data))
        elif kind is Kind.UR_TEXT and piece.urs:
            self.ur_lines(piece)
        elif kind is Kind.IMAGE and piece.images:
            self.image(piece)
        else:
            what = (unknown_kind(piece.data) if kind is Kind.UNKNOWN
                    else f"{kind.value} in this place")
            self._refuse(piece.source, "unrecognised_format", f"{piece.source}: {what}: not a "
                         "PSBT, Safe transaction, proof request, draft, envelope, UR or QR image",
                         piece.sha256)

    def psbt(self, piece: _Piece, raw: bytes) -> None:
        self.bare(piece, "psbt", raw)

    def bare(self, piece: _Piece, form: str, raw: bytes) -> None:
        """A payload that came alone, without a draft document: its kind by its format."""
        kind = self.checks.bare(form)
        if kind is None:
            self._refuse(piece.source, "unrecognised_format", f"{piece.source}: {form}: no "
                         "kind of draft arrives in this format", piece.sha256)
            return
        self.checks.check(kind.name, raw, piece.source)
        self.found(piece, kind.name, raw, None, ())

    def draft(self, piece: _Piece, draft: dict[str, Any], envelope: Envelope | None) -> None:
        form = next(f for f in self.checks.formats if f.name == draft["chain"])  # checked
        if envelope is None:
            note = (f"plain draft '{draft['id']}' (not signed by the vault): "
                    f"{request_words(draft['request'], form)}")
        else:
            note = f"envelope signed by vault key '{envelope.key_id}', draft '{draft['id']}'"
        raw = envelope_payload(draft, form)
        self.checks.check(form.name, raw, f"{piece.source} payload.{form.envelope_key}")
        self.found(piece, form.name, raw, envelope, (note,))

    def found(self, piece: _Piece, chain: str, payload: bytes, envelope: Envelope | None,
              notes: tuple[str, ...]) -> None:
        self.result.drafts.append(IncomingDraft(piece.source, chain, payload, envelope,
                                                piece.sha256, piece.notes + notes))

    def ur_lines(self, piece: _Piece) -> None:
        lines = without_bom(piece.data).decode("utf-8", "replace").splitlines()
        numbered = [(n, line.strip()) for n, line in enumerate(lines, 1) if line.strip()]
        for number, line in numbered:
            source = piece.source if len(numbered) == 1 else f"{piece.source}:{number}"
            refused = self.urs.add(line, source, piece.origin)
            if refused is not None:
                self._part_refused(piece.origin, refused)

    def _part_refused(self, origin: str, refused: RefusedInput) -> None:
        """A refused UR part (a text line or a QR code of the file ``origin``): named
        while its file has had fewer than a few, else counted (``counted_parts``)."""
        named = self.named_parts.get(origin, 0)
        if named < _NAMED_PART_REFUSALS or refused.code in _ONCE_PER_IMPORT:
            self.named_parts[origin] = named + 1
            self.result.refused.append(refused)
        else:
            self.more_parts.setdefault(origin, Counter())[refused.code] += 1

    def counted_parts(self) -> None:
        """One refusal per file for its refused UR parts past the first few named."""
        for origin, more in self.more_parts.items():
            counts = ", ".join(f"{code} x{count}" for code, count in more.most_common())
            self._refuse(origin, more.most_common(1)[0][0],
                         f"{origin}: {more.total()} more UR parts refused ({counts}); "
                         f"the first {_NAMED_PART_REFUSALS} are named above",
                         self.file_sha256.get(origin))

    def image(self, piece: _Piece) -> None:
        frames = read_qr_image(piece.data, piece.source, budget=self.pixels)
        seen: set[bytes] = set()
        for frame_number, codes in enumerate(frames, 1):
            for code_number, code in enumerate(codes, 1):
                if code in seen:  # an animation repeats frames; one draft per payload
                    continue
                seen.add(code)
                where = (f"qr:{piece.source}#" if len(frames) == 1
                         else f"{piece.source}#frame{frame_number}.")
                where = where + f"code{code_number}" if len(codes) > 1 else where[:-1]
                self.piece(_Piece(code, where, piece.origin, images=False))
        if not seen:
            self._refuse(piece.source, "no_qr_code", f"{piece.source}: no readable QR code in "
                         f"{len(frames)} frame(s)", piece.sha256)

    def _refuse(self, source: str, code: str, message: str, sha256: str | None) -> None:
        if source not in message:
            message = f"{source}: {message}"
        self.result.refused.append(RefusedInput(source, code, message, sha256))
