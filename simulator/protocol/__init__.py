"""Sans-I/O codecs, one per vendor, over the neutral operations in `ops`."""

from __future__ import annotations

import importlib

from .base import LoyaltyError, Next, Request, Response

CODECS = {
    "gameball": "simulator.protocol.gameball:GameballCodec",
    "wll": "simulator.protocol.wll:WLLCodec",
    "capillary": "simulator.protocol.capillary:CapillaryCodec",
}
DIALECTS = tuple(CODECS)


def codec_class(dialect: str) -> type:
    try:
        module_name, class_name = CODECS[dialect].split(":")
    except KeyError:
        raise ValueError(f"unknown dialect {dialect!r}; choose from {', '.join(CODECS)}") from None
    return getattr(importlib.import_module(module_name), class_name)


def codec_for(dialect: str, credentials: dict[str, str], **options):
    return codec_class(dialect)(credentials, **options)


__all__ = ["DIALECTS", "LoyaltyError", "Next", "Request", "Response", "codec_class", "codec_for"]
