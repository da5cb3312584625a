"""Vouchers: series and code pools; issued -> reserved -> burned, each slot burned once."""

from __future__ import annotations

from datetime import datetime, timedelta

from . import holds, points
from .errors import EngineError, invalid
from .model import Reservation, Voucher, VoucherSeries
from .state import State

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def create_series(
    state: State,
    name: str,
    discount_kind: str = "fixed",
    discount_value: int = 0,
    uses_per_code: int = 1,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    points_cost: int = 0,
    codes=(),
    series_id: str | None = None,
    attributes: dict | None = None,
) -> VoucherSeries:
    if discount_kind not in ("fixed", "percent", "points"):
        raise invalid("discount kind must be fixed, percent or points", field="discount_kind")
    if not isinstance(uses_per_code, int) or uses_per_code < 1:
        raise invalid("uses per code must be >= 1", field="uses_per_code")
    series = VoucherSeries(
        series_id=series_id or state.new_id("series"),
        name=name,
        discount_kind=discount_kind,
        discount_value=discount_value,
        uses_per_code=uses_per_code,
        valid_from=valid_from,
        valid_until=valid_until,
        points_cost=points_cost,
        attributes=dict(attributes or {}),
    )
    state.series[series.series_id] = series
    add_codes(state, series.series_id, codes)
    return series


def get_series(state: State, series_id: str) -> VoucherSeries:
    series = state.series.get(series_id)
    if series is None:
        raise EngineError("voucher_not_found", f"voucher series {series_id!r} not found")
    return series


def add_codes(state: State, series_id: str, codes) -> None:
    """Load a code pool: codes exist but belong to nobody until issued."""
    series = get_series(state, series_id)
    for code in codes:
        code = str(code)
        if code in state.vouchers or code in series.pool:
            raise invalid(f"voucher code {code!r} exists", field="codes")
        series.pool.append(code)


def _new_code(state: State) -> str:
    n = state.counters.get("voucher_code", 0) + 1
    state.counters["voucher_code"] = n
    digits, x = [], n * 7919 + 104729  # spread sequential numbers over the alphabet
    for _ in range(8):
        x, r = divmod(x, len(_CODE_ALPHABET))
        digits.append(_CODE_ALPHABET[r])
    return "".join(digits)


def issue(
    state: State, series_id: str, member_id: str | None = None, code: str | None = None
) -> Voucher:
    """Give a member a code: a named one, the next from the pool, or a generated one."""
    series = get_series(state, series_id)
    if member_id is not None:
        state.active_member(member_id)
    if code is None and series.pool:
        code = series.pool.pop(0)
    elif code is None:
        code = _new_code(state)
        while code in state.vouchers:
            code = _new_code(state)
    elif code in state.vouchers:
        raise invalid(f"voucher code {code!r} exists", field="code")
    elif code in series.pool:
        series.pool.remove(code)
    voucher = Voucher(
        code=code,
        series_id=series_id,
        limit=series.uses_per_code,
        created_at=state.now,
        owner_id=member_id,
        valid_from=series.valid_from,
        valid_until=series.valid_until,
    )
    state.vouchers[code] = voucher
    if member_id:
        state.record(member_id, "voucher_issued", 0, code)
    return voucher


def purchase(state: State, series_id: str, member_id: str) -> Voucher:
    """Spend the series' points cost and issue a voucher, in one command."""
    series = get_series(state, series_id)
    state.active_member(member_id)
    if series.pool == [] and series.attributes.get("pool_only"):
        raise EngineError("voucher_pool_empty", f"series {series_id!r} has no codes left")
    if series.points_cost:
        holds.check_available(state, member_id, series.points_cost)
        points.spend(state, member_id, series.points_cost, f"series:{series_id}")
    return issue(state, series_id, member_id)


def get_voucher(state: State, code: str) -> Voucher:
    voucher = state.vouchers.get(code)
    if voucher is None:
        raise EngineError("voucher_not_found", f"voucher {code!r} not found")
    return voucher


def is_live(voucher: Voucher, reservation_id: str) -> bool:
    return _live(voucher, reservation_id) is not None


def _live(voucher: Voucher, reservation_id: str | None) -> Reservation | None:
    res = voucher.reservations.get(reservation_id) if reservation_id else None
    return res if res is not None and res.state == "live" else None


def check_usable(
    state: State, voucher: Voucher, member_id: str | None, reservation_id: str | None
) -> None:
    """Every reason a voucher cannot be used now, in the catalogue's precedence."""
    now = state.now
    if voucher.owner_id and member_id and voucher.owner_id != member_id:
        raise EngineError("voucher_owner_mismatch", "the voucher belongs to another member")
    if voucher.voided:
        raise EngineError("voucher_voided", f"voucher {voucher.code!r} is voided")
    own = _live(voucher, reservation_id)
    taken = voucher.redeemed + voucher.reserved - (1 if own else 0)
    if voucher.limit == 1 and voucher.redeemed >= 1:
        raise EngineError("voucher_already_burned", f"voucher {voucher.code!r} already used")
    if voucher.limit == 1 and taken >= 1:
        raise EngineError("voucher_reserved", f"voucher {voucher.code!r} is reserved")
    if voucher.valid_from and now < voucher.valid_from:
        raise EngineError("voucher_not_active", f"voucher {voucher.code!r} is not active yet")
    if voucher.valid_until and now >= voucher.valid_until:
        raise EngineError("voucher_expired", f"voucher {voucher.code!r} expired")
    if taken >= voucher.limit:
        raise EngineError("voucher_quantity_exceeded", f"voucher {voucher.code!r} is used up")


def validate(state: State, code: str, member_id: str | None = None) -> Voucher:
    """A dry run of burn: same checks and errors, no change."""
    voucher = get_voucher(state, code)
    check_usable(state, voucher, member_id, None)
    return voucher


def reserve(
    state: State,
    code: str,
    member_id: str | None,
    reservation_id: str | None = None,
    ttl_s: int | None = None,
) -> Reservation:
    voucher = get_voucher(state, code)
    if reservation_id and reservation_id in voucher.reservations:
        res = voucher.reservations[reservation_id]
        if res.state == "live" and res.member_id == member_id:
            return res
    check_usable(state, voucher, member_id, None)
    ttl = state.config.voucher_reservation_ttl_s if ttl_s is None else ttl_s
    res = Reservation(
        reservation_id=reservation_id or state.new_id("vres"),
        code=code,
        member_id=member_id,
        expires_at=state.now + timedelta(seconds=ttl),
    )
    voucher.reservations[res.reservation_id] = res
    state.schedule(res.expires_at, "voucher_reservation", f"{code}\x00{res.reservation_id}")
    return res


def release_reservation(state: State, code: str, reservation_id: str) -> Reservation:
    voucher = get_voucher(state, code)
    res = _live(voucher, reservation_id)
    if res is None:
        raise EngineError("voucher_not_reserved", "no live reservation with that id")
    res.state = "released"
    return res


def burn(
    state: State,
    voucher: Voucher,
    member_id: str | None,
    order_id: str | None,
    reservation_id: str | None,
) -> None:
    """Use one slot; the caller ran check_usable. Burning without a reservation is atomic."""
    res = _live(voucher, reservation_id)
    if res is not None:
        res.state = "burned"
    voucher.redeemed += 1
    voucher.burns += 1
    voucher.burned_orders.append(order_id or "")
    if member_id:
        state.record(member_id, "voucher_burned", 0, voucher.code, order=order_id)


def burn_code(
    state: State,
    code: str,
    member_id: str | None = None,
    order_id: str | None = None,
    reservation_id: str | None = None,
) -> Voucher:
    voucher = get_voucher(state, code)
    if reservation_id and _live(voucher, reservation_id) is None:
        raise EngineError("voucher_not_reserved", "no live reservation with that id")
    check_usable(state, voucher, member_id, reservation_id)
    burn(state, voucher, member_id, order_id, reservation_id)
    return voucher


def reinstate(state: State, code: str, order_id: str) -> bool:
    """Give a slot back after a full refund of the order that burned it."""
    voucher = state.vouchers.get(code)
    if voucher is None or order_id not in voucher.burned_orders or voucher.redeemed == 0:
        return False
    voucher.burned_orders.remove(order_id)
    voucher.redeemed -= 1
    voucher.reinstated += 1
    return True


def void(state: State, code: str) -> Voucher:
    voucher = get_voucher(state, code)
    voucher.voided = True
    return voucher


def member_vouchers(state: State, member_id: str) -> list[Voucher]:
    return [v for v in state.vouchers.values() if v.owner_id == member_id]


def expire_reservation(state: State, key: str) -> None:
    code, reservation_id = key.split("\x00", 1)
    voucher = state.vouchers.get(code)
    res = voucher.reservations.get(reservation_id) if voucher else None
    if res is not None and res.state == "live" and state.now >= res.expires_at:
        res.state = "expired"
