"""JSON snapshots of a program's whole state, restorable without executing anything.

Dataclasses are written with their class name and rebuilt only from a fixed whitelist, so a
snapshot file can never make the server run code (nor import a module: a dialect's classes
are found only among the modules already loaded). `load` validates every field's type, then
the whole candidate state (snapshot_check), so a bad snapshot is refused before it replaces
anything.
"""

from __future__ import annotations

import dataclasses
import sys
import typing
from datetime import datetime
from functools import cache
from typing import Any

from pydantic import BaseModel, TypeAdapter

from . import ledger, model, snapshot_check
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
DIALECT_MODULES = "reference_backend.dialects."


def _enc(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out = {f.name: _enc(getattr(value, f.name)) for f in dataclasses.fields(value)}
        cls = type(value)
        if cls.__name__ in _CLASSES and _CLASSES[cls.__name__] is cls:
            return {"$dc": cls.__name__, "f": out}
        return {"$dc": cls.__name__, "m": cls.__module__, "f": out}
    if isinstance(value, BaseModel):
        model = type(value)
        return {"$model": model.__name__, "m": model.__module__, "f": value.model_dump(mode="json")}
    if isinstance(value, set | frozenset):
        return {"$set": [_enc(v) for v in sorted(value, key=repr)]}
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
    if "$set" in value:
        return {_dec(v) for v in value["$set"]}
    if "$dc" in value:
        cls = _CLASSES.get(value["$dc"]) if "m" not in value else _dialect_class(value)
        if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
            raise ValueError(f"{value['$dc']!r} is not a restorable dataclass")
        fields = {k: _dec(v) for k, v in value["f"].items()}
        return _adapter(cls).validate_python(fields)  # every field of the declared type
    if "$model" in value:
        model = _dialect_class({"$dc": value["$model"], "m": value["m"]})
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise ValueError(f"{value['$model']} is not a model")
        return model.model_validate(value["f"])
    raise ValueError("unrecognised snapshot value")


def _dialect_class(value: dict) -> type | None:
    """Dialects keep their own small records; only classes of posim's dialects are rebuilt."""
    module = value["m"]
    loaded = sys.modules.get(module) if module.startswith(DIALECT_MODULES) else None
    if loaded is None:  # never import what a snapshot names
        raise ValueError(f"classes from module {module!r} are not restorable")
    return getattr(loaded, value["$dc"], None)


@cache
def _adapter(kind: Any) -> TypeAdapter:
    return TypeAdapter(kind)


@cache
def _state_types() -> dict[str, Any]:
    return typing.get_type_hints(State)


def encode(value: Any) -> Any:
    """Snapshot encoding of any engine or dialect data (for the control plane)."""
    return _enc(value)


def decode(value: Any) -> Any:
    return _dec(value)


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
    types = _state_types()
    fields = {}
    for name, raw in data["state"].items():
        if name not in types or name in ("config", "clock", "as_of"):
            raise ValueError(f"unknown state field {name!r}")
        try:
            fields[name] = _adapter(types[name]).validate_python(_dec(raw))
        except ValueError as exc:
            raise ValueError(f"state.{name}: {_first_line(exc)}") from None
    state = State(config=config, clock=clock, **fields)
    state.timers.sort()
    snapshot_check.check(state)
    return state


def _first_line(exc: ValueError) -> str:
    lines = str(exc).splitlines()
    return " ".join(line.strip() for line in lines[:3])
