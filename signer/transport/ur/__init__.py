"""BC-UR (BCR-2020-005/012): bytewords, fountain-coded multipart URs, byte-string payloads."""

from signer.transport.ur.budget import MAX_DECODE_STEPS, DecodeBudget
from signer.transport.ur.codec import (
    SUPPORTED_TYPES,
    UR,
    URDecoder,
    UREncoder,
    decode_parts,
    encode_parts,
    encode_single,
    split_ur,
)
from signer.transport.ur.fountain import MAX_MESSAGE_LEN, MAX_SEQ_LEN, FountainPart
from signer.transport.ur.fountain_decoder import FountainDecoder

__all__ = [
    "MAX_DECODE_STEPS",
    "MAX_MESSAGE_LEN",
    "MAX_SEQ_LEN",
    "SUPPORTED_TYPES",
    "UR",
    "DecodeBudget",
    "FountainDecoder",
    "FountainPart",
    "URDecoder",
    "UREncoder",
    "decode_parts",
    "encode_parts",
    "encode_single",
    "split_ur",
]
