"""Seeded Faker generators: members, a product catalog and stores. Same seed, same data."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any

from faker import Faker

CATEGORIES = ("grocery", "beverages", "bakery", "household", "personal care", "electronics")


@dataclass(frozen=True)
class FakeMember:
    member_id: str
    first_name: str
    last_name: str
    mobile: str
    email: str
    card_number: str


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    category: str
    unit_price: int  # minor units


@dataclass(frozen=True)
class FakeStore:
    store_id: str
    name: str
    city: str
    lanes: tuple[str, ...]


def _faker(seed: int) -> Faker:
    fake = Faker("en_US")
    fake.seed_instance(seed)
    return fake


def members(n: int, seed: int = 0) -> list[FakeMember]:
    fake, rng = _faker(seed), random.Random(seed)
    out = []
    for i in range(n):
        first, last = fake.first_name(), fake.last_name()
        out.append(
            FakeMember(
                member_id=f"cust-{seed}-{i:05d}",
                first_name=first,
                last_name=last,
                mobile=f"+2010{rng.randrange(10**8):08d}",
                email=f"{first}.{last}.{i}@example.com".lower(),
                card_number=f"{rng.randrange(10**15, 10**16)}",
            )
        )
    return out


def catalog(n: int = 50, seed: int = 0) -> list[Product]:
    fake, rng = _faker(seed + 1), random.Random(seed + 1)
    return [
        Product(
            sku=f"SKU-{i:04d}",
            name=fake.catch_phrase().split()[-1].title() + f" {fake.color_name()}",
            category=rng.choice(CATEGORIES),
            unit_price=rng.randrange(50, 20_000, 25),
        )
        for i in range(n)
    ]


def stores(n: int = 3, lanes: int = 4, seed: int = 0) -> list[FakeStore]:
    fake = _faker(seed + 2)
    return [
        FakeStore(
            store_id=f"store-{i + 1:02d}",
            name=f"{fake.city()} {fake.company_suffix()}",
            city=fake.city(),
            lanes=tuple(f"lane-{j + 1}" for j in range(lanes)),
        )
        for i in range(n)
    ]


def dataset(members_n: int, seed: int, products: int = 50, stores_n: int = 3) -> dict[str, Any]:
    """Everything `posim fixtures generate` writes, as plain JSON-ready data."""
    return {
        "seed": seed,
        "members": [asdict(m) for m in members(members_n, seed)],
        "catalog": [asdict(p) for p in catalog(products, seed)],
        "stores": [asdict(s) for s in stores(stores_n, seed=seed)],
    }
