"""JSON snapshots of a program's whole state, restorable without executing anything.

Dataclasses are written with their class name and rebuilt only from a fixed whitelist, so a
snapshot file can never make the server run code.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from . import ledger, model
from .clock import Clock
from .config import ProgramConfig
from .engine import Outcome
from .state import State

_CLASSES = {
    cls.__name__: cls
    for mod in (model, ledger)
    for cls in vars(mod).values()
    if isinstance(cls, type) and dataclasses.is_dataclass(cls)
}
_CLASSES["Outcome"] = Outcome  # idempotency records store command results
FORMAT = "posim-snapshot/1"


def _enc(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _enc(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"$dc": type(value).__name__, "f": out}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {"$map": {k: _enc(v) for k, v in value.items()}}
        return {"$pairs": [[_enc(k), _enc(v)] for k, v in value.items()]}
    if isinstance(value, tuple):
        return {"$tuple": [_enc(v) for v in value]}
    if isinstance(value, list):
        return [_enc(v) for v in value]
    return value


def _dec(value: Any) -> Any:
    if isinstance(value, list):
        return [_dec(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$dt" in value:
        return datetime.fromisoformat(value["$dt"])
    if "$tuple" in value:
        return tuple(_dec(v) for v in value["$tuple"])
    if "$map" in value:
        return {k: _dec(v) for k, v in value["$map"].items()}
    if "$pairs" in value:
        return {_dec(k): _dec(v) for k, v in value["$pairs"]}
    if "$dc" in value:
        cls = _CLASSES[value["$dc"]]
        return cls(**{k: _dec(v) for k, v in value["f"].items()})
    raise ValueError("unrecognised snapshot value")


def dump(state: State) -> dict[str, Any]:
    fields = {
        f.name: _enc(getattr(state, f.name))
        for f in dataclasses.fields(state)
        if f.name not in ("config", "clock", "as_of")
    }
    clock = {"now": state.clock.now().isoformat(), "running": state.clock.running}
    return {
        "format": FORMAT,
        "config": state.config.model_dump(mode="json"),
        "clock": clock,
        "state": fields,
    }


def load(data: dict[str, Any], running: bool | None = None) -> State:
    """Rebuild a State; raises ValueError/KeyError/TypeError on a malformed snapshot."""
    if data.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} document")
    config = ProgramConfig.model_validate(data["config"])
    clock_data = data["clock"]
    run = clock_data.get("running", False) if running is None else running
    clock = Clock(datetime.fromisoformat(clock_data["now"]), running=run)
    fields = {k: _dec(v) for k, v in data["state"].items()}
    state = State(config=config, clock=clock, **fields)
    state.timers.sort()
    return state
