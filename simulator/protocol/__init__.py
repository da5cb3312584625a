"""Sans-I/O codecs, one per vendor, over the neutral operations in `ops`."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, cast

from .base import LoyaltyError, Next, Request, Response
from .codec import Codec

if TYPE_CHECKING:  # mypy checks each codec class against the Codec contract here
    from .capillary import CapillaryCodec
    from .gameball import GameballCodec
    from .wll import WLLCodec

    _CHECKED: tuple[type[Codec], ...] = (GameballCodec, WLLCodec, CapillaryCodec)

CODECS = {
    "gameball": "simulator.protocol.gameball:GameballCodec",
    "wll": "simulator.protocol.wll:WLLCodec",
    "capillary": "simulator.protocol.capillary:CapillaryCodec",
}
DIALECTS = tuple(CODECS)


def codec_class(dialect: str) -> type[Codec]:
    try:
        module_name, class_name = CODECS[dialect].split(":")
    except KeyError:
        raise ValueError(f"unknown dialect {dialect!r}; choose from {', '.join(CODECS)}") from None
    # loaded by name so a run imports only its vendor's codec; _CHECKED types all three
    return cast("type[Codec]", getattr(importlib.import_module(module_name), class_name))


def codec_for(dialect: str, credentials: dict[str, str], **options: Any) -> Codec:
    return codec_class(dialect)(credentials, **options)


__all__ = [
    "DIALECTS",
    "Codec",
    "LoyaltyError",
    "Next",
    "Request",
    "Response",
    "codec_class",
    "codec_for",
]
