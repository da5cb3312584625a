"""The Capillary parity table's coverage block is measured, never typed by hand."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location(
    "capillary_coverage", ROOT / "scripts" / "capillary_coverage.py"
)
coverage = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(coverage)


def test_every_operation_left_out_has_a_reason_and_no_reason_is_stale():
    ops, served = coverage.spec_operations(), coverage.served_operations()
    left_out = {op for op in ops if op not in served}
    assert left_out == set(coverage.REASONS)


def test_every_pos_operation_is_served():
    pos = {
        "GET /v1.1/customer/get",
        "POST /v1.1/customer/add",
        "PUT /v1.1/customer/update",
        "POST /v1.1/transaction/add",
        "POST /v1.1/transaction/update",
        "GET /v1.1/points/isredeemable",
        "POST /v1.1/points/redeem",
        "GET /v1.1/coupon/isredeemable",
        "POST /v1.1/coupon/redeem",
    }
    assert pos <= coverage.served_operations()


def test_the_parity_table_shows_the_measured_coverage():
    table = coverage.TABLE.read_text()
    assert coverage.current_block(table) == coverage.render(), (
        "run: python scripts/capillary_coverage.py --write"
    )
