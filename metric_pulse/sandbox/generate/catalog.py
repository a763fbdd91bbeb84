"""The merchandise: one master catalog, each platform selling most of it under the same SKUs.

A product has an English and a German title, a US list price (other currencies
are derived by `money.list_price`), optional sizes (one variant per size) and a
launch date; orders only pick products already launched.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from metric_pulse.sandbox.generate.population import Profile

# (English, German, product_type, materials allowed, sized, US price range in dollars)
NOUNS = (
    ("T-Shirt", "T-Shirt", "Apparel", ("Cotton", "Organic", "Linen", "Bamboo"), True, (18, 45)),
    ("Hoodie", "Kapuzenpullover", "Apparel", ("Cotton", "Organic", "Recycled", "Fleece"), True, (45, 110)),
    ("Socks", "Socken", "Apparel", ("Cotton", "Wool", "Bamboo", "Merino"), True, (8, 24)),
    ("Beanie", "Mütze", "Accessories", ("Wool", "Merino", "Recycled"), False, (16, 45)),
    ("Scarf", "Schal", "Accessories", ("Wool", "Merino", "Linen", "Cotton"), False, (25, 90)),
    ("Cap", "Kappe", "Accessories", ("Cotton", "Recycled", "Organic"), False, (18, 38)),
    ("Tote Bag", "Tragetasche", "Accessories", ("Cotton", "Recycled", "Linen", "Canvas"), False, (12, 40)),
    ("Mug", "Becher", "Home", ("Ceramic", "Enamel", "Stoneware"), False, (12, 32)),
    ("Candle", "Kerze", "Home", ("Soy", "Beeswax"), False, (14, 48)),
    ("Blanket", "Decke", "Home", ("Wool", "Cotton", "Fleece", "Merino"), False, (60, 220)),
    ("Cushion", "Kissen", "Home", ("Linen", "Cotton", "Wool"), False, (28, 75)),
    ("Tea Towel", "Geschirrtuch", "Home", ("Linen", "Cotton", "Organic"), False, (9, 22)),
    ("Water Bottle", "Trinkflasche", "Outdoor", ("Steel", "Recycled"), False, (20, 45)),
    ("Notebook", "Notizbuch", "Stationery", ("Recycled", "Leather", "Canvas"), False, (7, 38)),
    ("Backpack", "Rucksack", "Outdoor", ("Canvas", "Recycled", "Leather"), False, (55, 180)),
)

MATERIALS_DE = {
    "Cotton": "Baumwoll",
    "Organic": "Bio",
    "Linen": "Leinen",
    "Bamboo": "Bambus",
    "Recycled": "Recycling",
    "Fleece": "Fleece",
    "Wool": "Woll",
    "Merino": "Merino",
    "Canvas": "Canvas",
    "Ceramic": "Keramik",
    "Enamel": "Emaille",
    "Stoneware": "Steingut",
    "Soy": "Soja",
    "Beeswax": "Bienenwachs",
    "Steel": "Edelstahl",
    "Leather": "Leder",
}

LINES = (
    "Aurora",
    "Fjord",
    "Sierra",
    "Harbor",
    "Meadow",
    "Summit",
    "Coast",
    "Ember",
    "Juniper",
    "Atlas",
    "Willow",
    "Tundra",
    "Canyon",
    "Breeze",
    "Orchard",
    "Nova",
    "Pioneer",
    "Lagoon",
    "Aspen",
    "Dune",
)

VENDORS = ("North & Pine", "Kite Supply Co.", "Hollow Oak", "Brightwater Goods")
SIZES = ("S", "M", "L", "XL")
PRODUCT_TYPES = ("Accessories", "Apparel", "Home", "Outdoor", "Stationery")


@dataclass(frozen=True)
class Product:
    index: int
    sku: str  # base SKU; sized variants append "-S", "-M", ...
    handle: str  # url slug, "aurora-cotton-t-shirt"
    title_en: str
    title_de: str
    product_type: str
    vendor: str
    usd_cents: int  # list price in USD cents
    sizes: tuple[str, ...]  # () = one default variant
    grams: int
    created_ts: int
    updated_ts: int
    status: str  # active | draft | archived
    on_platform: frozenset[str]  # the platforms that sell it

    def variant_skus(self) -> list[str]:
        return [f"{self.sku}-{s}" for s in self.sizes] if self.sizes else [self.sku]


def _charm(dollars: float) -> int:
    """US price in cents ending in .99, .50 or .00."""
    whole = max(4, int(dollars))
    return whole * 100 + (99, 99, 99, 50, 0)[int(dollars * 7) % 5]


def build_catalog(
    rng: np.random.Generator, count: int, start_ts: int, end_ts: int, profiles: Sequence[Profile]
) -> list[Product]:
    combos = [(line, noun, material) for noun in NOUNS for material in noun[3] for line in LINES]
    order = rng.permutation(len(combos))
    products: list[Product] = []
    span = end_ts - start_ts
    for i in range(count):
        line, noun, material = combos[int(order[i % len(combos)])]
        en, de, ptype, _, sized, (low, high) = noun
        dollars = float(np.exp(rng.uniform(np.log(low), np.log(high))))
        launched_late = rng.random() < 0.12
        if launched_late:  # launched inside the window (never in its last fifth)
            created = start_ts + int(rng.uniform(0.05, 0.8) * span)
        else:
            created = start_ts - int(rng.uniform(1, 720) * 86_400)
        updated = created + int(rng.exponential(60) * 86_400)
        updated = min(updated, end_ts - int(rng.uniform(0, 3) * 86_400))
        updated = max(updated, created + 60)
        status_draw = rng.random()
        status = "draft" if status_draw < 0.03 else "archived" if status_draw < 0.07 else "active"
        on = rng.random(len(profiles)) < [p.catalog_share for p in profiles]
        suffix = "" if i < len(combos) else f" {i // len(combos) + 1}"
        title_en = f"{line} {material} {en}{suffix}"
        title_de = f"{line} {MATERIALS_DE[material]}-{de}{suffix}"
        products.append(
            Product(
                index=i,
                sku=f"MP-{1001 + i}",
                handle=title_en.lower().replace(" ", "-"),
                title_en=title_en,
                title_de=title_de,
                product_type=ptype,
                vendor=VENDORS[int(rng.integers(len(VENDORS)))],
                usd_cents=_charm(dollars),
                sizes=SIZES if sized else (),
                grams=int(rng.integers(80, 1500)),
                created_ts=created,
                updated_ts=updated,
                status=status,
                on_platform=frozenset(p.platform for p, sold in zip(profiles, on, strict=True) if sold),
            )
        )
    return products


class Picker:
    """Chooses a product near a target price among what one platform sells at a given time."""

    def __init__(self, products: list[Product], platform: str):
        sellable = [p for p in products if platform in p.on_platform and p.status != "draft"]
        sellable.sort(key=lambda p: (p.usd_cents, p.index))
        self.products = sellable
        self.prices = [p.usd_cents for p in sellable]
        self.first_launch = min(p.created_ts for p in sellable)

    def pick(self, r: random.Random, target_usd_cents: float, ts: int) -> Product:
        n = len(self.products)
        pos = bisect.bisect_left(self.prices, target_usd_cents) + r.randint(-4, 3)
        pos = min(max(pos, 0), n - 1)
        for step in range(n):  # nearest launched product, walking outwards
            for candidate in (pos - step, pos + step):
                if 0 <= candidate < n and self.products[candidate].created_ts <= ts:
                    return self.products[candidate]
        return self.products[pos]


def basket(picker: Picker, r: random.Random, spend_usd: float, ts: int) -> list[tuple[Product, int, int]]:
    """Line items for one order: [(product, size index or -1, quantity)], merged by variant.

    The order value scatters around the shopper's spend level with a Gamma (shape 4),
    the Gamma-Gamma spend model's assumption.
    """
    target = r.gammavariate(4.0, spend_usd * 100 / 4.0)
    lines = 1 + min(5, int(r.expovariate(0.9)))
    per_line = target / lines
    merged: dict[tuple[int, int], list] = {}
    for _ in range(lines):
        product = picker.pick(r, per_line, ts)
        quantity = max(1, min(5, round(per_line / product.usd_cents)))
        size = r.randrange(len(product.sizes)) if product.sizes else -1
        key = (product.index, size)
        if key in merged:
            merged[key][2] += quantity
        else:
            merged[key] = [product, size, quantity]
    return [tuple(item) for item in merged.values()]
