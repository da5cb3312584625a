"""The client-side base-path table against each vendor's facts file: the codec's root is the
documented client root, every base the server serves is recognised, and no vendor's base is
taken for another's."""

from __future__ import annotations

import pytest

from simulator.certify import pos_command
from simulator.protocol.base_paths import BASE_PATHS
from tests.support.vendor_facts import facts

VENDORS = sorted(BASE_PATHS)


@pytest.mark.parametrize("vendor", VENDORS)
def test_the_table_holds_the_documented_bases(vendor: str):
    documented = facts(vendor)["base_paths"]
    paths = BASE_PATHS[vendor]
    assert paths.client == documented["client"]
    assert pos_command.API_ROOTS[vendor] == documented["client"]  # the till's {base_url}
    for base in documented["server"]:
        assert paths.under().match(base + "/x"), base
        assert paths.rest().match(base + "/x").group(1) == "/x"
    for name, root in paths.extra.items():  # the token path, Capillary's v2 root
        assert root == documented[name] or root in documented[name], (name, root)


@pytest.mark.parametrize("vendor", VENDORS)
def test_no_vendor_base_is_taken_for_another(vendor: str):
    for other in VENDORS:
        if other == vendor:
            continue
        for base in facts(other)["base_paths"]["server"]:
            assert not BASE_PATHS[vendor].under().match(base + "/x"), (vendor, base)


def test_a_base_must_end_at_a_segment():
    assert not BASE_PATHS["wll"].under().match("/v1.1/customer/get")
    assert not BASE_PATHS["wll"].under().match("/v10/users")
    assert BASE_PATHS["wll"].under().match("/v1")
