"""Every neutral engine error code is mapped on purpose by each dialect: a new engine code
fails here until each vendor's table says what it becomes (no silent generic fallback)."""

from __future__ import annotations

import pytest

from reference_backend.control.engine_status import STATUS_BY_CODE
from reference_backend.dialects.capillary import errors as capillary
from reference_backend.dialects.gameball import errors as gameball
from reference_backend.dialects.wll import errors as wll
from reference_backend.engine.errors import EngineCode, EngineError

ENGINE_CODES = set(EngineCode)
SERVER_SIDE = {code for code, status in STATUS_BY_CODE.items() if status >= 500}


def test_the_server_side_status_table_covers_exactly_the_engine_codes():
    assert set(STATUS_BY_CODE) == ENGINE_CODES
    assert all(type(code) is EngineCode for code in STATUS_BY_CODE)


def test_an_unknown_engine_code_is_refused():
    with pytest.raises(ValueError, match="unknown engine error code"):
        EngineError("no_such_code")


def test_gameball_maps_every_engine_code_to_a_code_it_can_answer():
    assert set(gameball.ENGINE_CODES) == ENGINE_CODES
    assert set(gameball.ENGINE_CODES.values()) <= set(gameball.CODES)


def test_wll_maps_every_client_side_engine_code_and_keeps_server_side_ones_500():
    assert set(wll._ENGINE_MAP) == ENGINE_CODES - SERVER_SIDE
    assert set(wll.SERVER_ERRORS) == SERVER_SIDE
    for code in SERVER_SIDE:
        assert wll.engine_fail(EngineError(code)) is None
    for code, (status, _message) in wll._ENGINE_MAP.items():
        assert 400 <= status < 500, code


@pytest.mark.parametrize(
    "table",
    [capillary.TRANSACTION_CODES, capillary.POINTS_CODES, capillary.COUPON_CODES],
    ids=["transaction", "points", "coupon"],
)
def test_capillary_maps_every_engine_code_per_entity_to_a_known_item_code(table):
    assert set(table) == ENGINE_CODES - SERVER_SIDE
    assert set(table.values()) <= set(capillary.MESSAGES)


def test_capillary_never_hides_a_broken_ledger_behind_an_item_code():
    broken = EngineError("invariant_violation")
    with pytest.raises(EngineError):
        capillary.from_engine(broken, capillary.POINTS_CODES, 817)
