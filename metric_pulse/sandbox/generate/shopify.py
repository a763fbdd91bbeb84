"""Shopify GraphQL Admin API (2026-10): Order, Customer and Product nodes as the API returns them.

Every object is in the GraphQL Admin shape: GIDs (`gid://shopify/Order/5100…`) with the
number in `legacyResourceId`, camelCase fields, timestamps in UTC with `Z`, enums in
upper case, amounts as `MoneyBag {shopMoney, presentmentMoney}` and connections as
`{"nodes": [...]}`; an interface or union value (a discount application, its value)
carries its `__typename`. So a payload copied from Shopify's documentation can sit
in the same files.

The shop keeps its books in USD; shoppers abroad pay in their presentment currency
(CAD, GBP, EUR), so every amount has both. Refund transactions are in the presentment
currency, as Shopify records them. The values come from the same random draws as the
REST rendering this replaced (same seed: same ids, amounts and instants).

Large records (`large`): products with more than 100 variants and orders with more than
250 line items, the sizes a REST client truncated and a GraphQL client must page through.
They come from their own random stream, after the regular records, so they change
nothing else; `large=0` writes none.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from metric_pulse.sandbox.generate import catalog, money, people
from metric_pulse.sandbox.generate.output import iso_z
from metric_pulse.sandbox.generate.population import DAY, Population

SHOP_CURRENCY = "USD"
PRESENTMENT = {"US": "USD", "CA": "CAD", "GB": "GBP", "DE": "EUR", "FR": "EUR", "JP": "USD"}
# tax per destination: (basis points, title); US by state
US_STATE_TAX = {
    "NY": (888, "NY State Tax"),
    "TX": (825, "TX State Tax"),
    "WA": (1010, "WA State Tax"),
    "CO": (290, "CO State Tax"),
    "IL": (625, "IL State Tax"),
    "OR": (0, "OR State Tax"),
    "GA": (400, "GA State Tax"),
}
COUNTRY_TAX = {
    "CA": (1300, "HST"),
    "GB": (2000, "VAT"),
    "DE": (1900, "VAT"),
    "FR": (2000, "VAT"),
    "JP": (1000, "JCT"),
}
SHIPPING = {"USD": 695, "CAD": 995, "GBP": 595, "EUR": 695}
FREE_SHIPPING_USD = 7500
DISCOUNT_CODES = (("WELCOME10", 10), ("SPRING15", 15), ("LOYAL20", 20))
CANCEL_REASONS = ("customer", "inventory", "fraud", "declined", "other")
SOURCES = (("web", 0.80), ("iphone", 0.08), ("android", 0.06), ("shopify_draft_order", 0.06))
TEST_SHARE = 0.012
CANCEL_SHARE = 0.035
BANK_TRANSFER_SHARE = 0.03
MANUAL_CAPTURE_SHARE = 0.2
REFUND_SHARE = 0.08
LATE_EDIT_SHARE = 0.12
DEFAULT_LARGE = 2  # large products and large orders written by default (`--shopify-large`)
LARGE_VARIANTS = (101, 400)  # variants of a large product (Shopify allows up to 2 048)
LARGE_LINES = (251, 320)  # line items of a large order (a GraphQL page holds at most 250)
LARGE_PRODUCT_ID, LARGE_VARIANT_ID = 8_900_000_000_000, 44_900_000_000_000
LARGE_ORDER_ID, LARGE_LINE_ID = 5_900_000_000_000, 13_900_000_000_000


def gid(kind: str, ident: int) -> str:
    return f"gid://shopify/{kind}/{ident}"


def ref(kind: str, ident: int) -> dict:
    """A reference to another node as queried by `{ id legacyResourceId }`."""
    return {"id": gid(kind, ident), "legacyResourceId": str(ident)}


def money_v2(minor: int, currency: str) -> dict:
    return {"amount": money.fmt(minor), "currencyCode": currency}


def money_bag(shop: int, presentment: int, presentment_currency: str) -> dict:
    return {
        "shopMoney": money_v2(shop, SHOP_CURRENCY),
        "presentmentMoney": money_v2(presentment, presentment_currency),
    }


def nodes(items: list[dict]) -> dict:
    """A connection as the data files hold it (the emulator pages it)."""
    return {"nodes": items}


def _tax_for(address: dict) -> tuple[int, str]:
    if address["country"] == "US":
        return US_STATE_TAX.get(address["state"], (0, "Sales Tax"))
    return COUNTRY_TAX[address["country"]]


def _tax_lines(title: str, rate_bp: int, shop: int, pres: int, presentment: str) -> list[dict]:
    if not rate_bp:
        return []
    return [
        {
            "title": title,
            "rate": rate_bp / 10_000,
            "ratePercentage": rate_bp / 100,
            "priceSet": money_bag(shop, pres, presentment),
            "channelLiable": False,
        }
    ]


def _amounts(
    unit_prices: list[int], quantities: list[int], discount_pct: int, shipping: int, rate_bp: int
) -> dict:
    """Every order figure in one currency, in minor units."""
    line_totals = [p * q for p, q in zip(unit_prices, quantities, strict=True)]
    line_discounts = [money.div_half_even(t * discount_pct, 100) for t in line_totals]
    line_taxes = [money.tax_on(t - d, rate_bp) for t, d in zip(line_totals, line_discounts, strict=True)]
    shipping_tax = money.tax_on(shipping, rate_bp)
    line_items = sum(line_totals)
    discounts = sum(line_discounts)
    tax = sum(line_taxes) + shipping_tax
    return {
        "line_totals": line_totals,
        "line_discounts": line_discounts,
        "line_taxes": line_taxes,
        "line_items": line_items,
        "discounts": discounts,
        "subtotal": line_items - discounts,
        "shipping": shipping,
        "shipping_tax": shipping_tax,
        "tax": tax,
        "total": line_items - discounts + shipping + tax,
    }


NO_REFUND = {
    "pres": 0,
    "shop": 0,
    "subtotal_pres": 0,
    "subtotal_shop": 0,
    "tax_pres": 0,
    "tax_shop": 0,
    "discount_pres": 0,
    "discount_shop": 0,
}


@dataclass
class Sale:
    """Everything drawn for one order, before it is rendered as an Order node."""

    order_id: int
    number: int
    created: int
    updated: int
    account: int | None  # None: a guest (POS walk-in), no customer, no e-mail
    country: str
    items: list[tuple[catalog.Product, int, int]]  # (product, size index or -1, quantity)
    variant_ids: list[int]
    skus: list[str]
    line_ids: list[int]
    shop_prices: list[int]
    pres_prices: list[int]
    shop: dict
    pres: dict
    presentment: str
    rate_bp: int
    tax_title: str
    code: tuple[str, int] | None
    free: bool
    test: bool
    source: str
    financial: str
    fulfilled_at: int | None
    cancelled_at: int | None
    cancel_reason: str | None
    closed_at: int | None
    gateway: str
    refunds: list[dict]
    refunded: dict
    refunded_qty: list[int]


class ShopifyStore:
    platform = "shopify"
    # its shop in the population and the catalog (`population.Profile`)
    order_share = 0.45
    guest_share = 0.04
    home_country_mix = (0.70, 0.18, 0.05, 0.04, 0.02, 0.01)
    catalog_share = 0.88
    # `generate(options=…)` keys this store understands, with their defaults (`--shopify-large`)
    generator_options = {"shopify_large": DEFAULT_LARGE}

    def __init__(
        self,
        population: Population,
        products: list[catalog.Product],
        seed: int,
        *,
        shopify_large: int = DEFAULT_LARGE,
    ):
        if shopify_large < 0:
            raise ValueError("--shopify-large must not be negative")
        self.pop = population
        self.catalog = products
        self.r = random.Random(f"{seed}/shopify")
        self.large_r = random.Random(f"{seed}/shopify/large")  # its own stream: regular records stay put
        self.large = shopify_large
        self.picker = catalog.Picker(products, self.platform)
        # ids of products/variants, by (catalog index, size index)
        self.product_id: dict[int, int] = {}
        self.variant_id: dict[tuple[int, int], int] = {}
        next_product, next_variant = 8_012_345_000_000, 44_100_000_000_000
        for p in products:
            if self.platform in p.on_platform:
                next_product += self.r.randint(10_000, 3_000_000)
                self.product_id[p.index] = next_product
                for size in range(max(1, len(p.sizes))):
                    next_variant += self.r.randint(10_000, 900_000)
                    self.variant_id[(p.index, size if p.sizes else -1)] = next_variant
        # customers: ids in registration order
        accounts = population.accounts_of(self.platform)
        registered = accounts[~population.acc_guest[accounts]]
        registered = registered[np.lexsort((registered, population.acc_created_ts[registered]))]
        self.customer_accounts = registered
        self.customer_id: dict[int, int] = {}
        next_customer = 6_401_000_000_000
        for account in registered.tolist():
            next_customer += self.r.randint(100_000, 20_000_000)
            self.customer_id[account] = next_customer
        self.orders_count: dict[int, int] = {}
        self.total_spent: dict[int, int] = {}
        self.last_order: dict[int, tuple[int, str]] = {}
        self.large_products = [self._large_product(i) for i in range(self.large)]

    # -- products -----------------------------------------------------------------------------
    def products(self) -> Iterator[dict]:
        for p in self.catalog:
            if self.platform not in p.on_platform:
                continue
            pid = self.product_id[p.index]
            titles = list(p.sizes) if p.sizes else ["Default Title"]
            variants = [
                {
                    "id": self.variant_id[(p.index, position - 1 if p.sizes else -1)],
                    "title": title,
                    "sku": sku,
                    "price": p.usd_cents,
                    "inventory": (p.index * 37 + position * 11) % 250,
                }
                for position, (title, sku) in enumerate(zip(titles, p.variant_skus(), strict=True), start=1)
            ]
            yield self._product_node(
                pid,
                title=p.title_en,
                handle=p.handle,
                vendor=p.vendor,
                product_type=p.product_type,
                status=p.status,
                created=p.created_ts,
                updated=p.updated_ts,
                option="Size" if p.sizes else "Title",
                variants=variants,
            )
        for large in self.large_products:
            yield large["node"]

    def _product_node(
        self,
        pid: int,
        *,
        title: str,
        handle: str,
        vendor: str,
        product_type: str,
        status: str,
        created: int,
        updated: int,
        option: str,
        variants: list[dict],
    ) -> dict:
        option_id = pid + 1_000_000_000_000
        values = [v["title"] for v in variants]
        return {
            **ref("Product", pid),
            "title": title,
            "handle": handle,
            "vendor": vendor,
            "productType": product_type,
            "status": status.upper(),
            "tags": [product_type.lower()],
            "descriptionHtml": f"<p>{title} by {vendor}.</p>",
            "createdAt": iso_z(created),
            "updatedAt": iso_z(updated),
            "publishedAt": None if status == "draft" else iso_z(created),
            "totalInventory": sum(v["inventory"] for v in variants),
            "options": [
                {
                    "id": gid("ProductOption", option_id),
                    "name": option,
                    "position": 1,
                    "values": values,
                    "optionValues": [
                        {"id": gid("ProductOptionValue", option_id * 1000 + k), "name": value}
                        for k, value in enumerate(values, start=1)
                    ],
                }
            ],
            "variants": nodes(
                [
                    {
                        **ref("ProductVariant", v["id"]),
                        "title": v["title"],
                        "displayName": f"{title} - {v['title']}",
                        "sku": v["sku"],
                        "price": money.fmt(v["price"]),
                        "compareAtPrice": None,
                        "position": position,
                        "inventoryQuantity": v["inventory"],
                        "taxable": True,
                        "barcode": None,
                        "createdAt": iso_z(created),
                        "updatedAt": iso_z(updated),
                        "selectedOptions": [{"name": option, "value": v["title"]}],
                    }
                    for position, v in enumerate(variants, start=1)
                ]
            ),
        }

    def _large_product(self, index: int) -> dict:
        """A product with more than 100 variants (one option, `Style 001`…), drawn from the large stream."""
        r = self.large_r
        pid = LARGE_PRODUCT_ID + index
        count = r.randint(*LARGE_VARIANTS)
        price = r.randint(8, 60) * 100 - 5
        created = r.randint(self.pop.start_ts, (self.pop.start_ts + self.pop.end_ts) // 2)
        title = f"Pattern Sampler {index + 1}"
        variants = [
            {
                "id": LARGE_VARIANT_ID + index * 10_000 + k,
                "title": f"Style {k:03d}",
                "sku": f"MP-LARGE-{index + 1}-{k:03d}",
                "price": price,
                "inventory": r.randint(0, 40),
            }
            for k in range(1, count + 1)
        ]
        node = self._product_node(
            pid,
            title=title,
            handle=f"pattern-sampler-{index + 1}",
            vendor="Metric Pulse Goods",
            product_type="Home",
            status="active",
            created=created,
            updated=created + DAY,
            option="Style",
            variants=variants,
        )
        return {"node": node, "variants": variants, "title": title, "created": created}

    # -- customers (shared by the order's embedded copy and customers.json) ----------------------------
    def _customer_core(self, account: int) -> dict:
        """The fields an order's `customer` and the customer node share."""
        pop = self.pop
        person = int(pop.acc_person[account])
        draw = float(pop.acc_draw[account])
        cid = self.customer_id[account]
        created = int(pop.acc_created_ts[account])
        updated = max(created, int(pop.acc_last_order_ts[account]) + 3, int(pop.acc_edit_ts[account]))
        state = "enabled" if draw < 0.78 else "disabled" if draw < 0.95 else "invited"
        subscribed = (draw * 7) % 1 < 0.45
        tags = sorted(
            t
            for t, on in (
                ("vip", pop.spend_usd[person] > 150),
                ("newsletter", subscribed),
                ("wholesale", (draw * 13) % 1 < 0.03),
            )
            if on
        )
        first, last = pop.first_name[person], pop.last_name[person]
        return {
            **ref("Customer", cid),
            "firstName": first,
            "lastName": last,
            "displayName": f"{first} {last}",
            "createdAt": iso_z(created),
            "updatedAt": iso_z(updated),
            "state": state.upper(),
            "verifiedEmail": state == "enabled",
            "taxExempt": False,
            "tags": tags,
            "defaultEmailAddress": {
                "emailAddress": pop.acc_email[account],
                "marketingState": "SUBSCRIBED" if subscribed else "NOT_SUBSCRIBED",
            },
            "defaultPhoneNumber": None,
        }

    def _address(self, account: int, *, customer: bool) -> dict:
        pop = self.pop
        person = int(pop.acc_person[account])
        a = pop.address[person]
        out = {
            "firstName": pop.first_name[person],
            "lastName": pop.last_name[person],
            "name": f"{pop.first_name[person]} {pop.last_name[person]}",
            "company": None,
            "address1": people.street_line(a),
            "address2": a["line2"],
            "city": a["city"],
            "zip": a["postcode"],
            "province": a["state"] or None,
            "provinceCode": a["state"] or None,
            "country": people.COUNTRY_NAMES[a["country"]],
            "countryCodeV2": a["country"],
            "phone": a["phone"],
        }
        if customer:
            out = {"id": gid("MailingAddress", self.customer_id[account] + 3_000_000_000_000), **out}
        return out

    def customers(self) -> Iterator[dict]:
        for account in self.customer_accounts.tolist():
            last = self.last_order.get(account)
            address = self._address(account, customer=True)
            yield {
                **self._customer_core(account),
                "note": None,
                "locale": "en",
                "numberOfOrders": str(self.orders_count.get(account, 0)),  # UnsignedInt64: a string
                "amountSpent": money_v2(self.total_spent.get(account, 0), SHOP_CURRENCY),
                "lastOrder": None if last is None else {"id": gid("Order", last[0]), "name": last[1]},
                "defaultAddress": address,
                "addressesV2": nodes([address]),
            }

    # -- orders ---------------------------------------------------------------------------------
    def orders(self) -> Iterator[dict]:
        r = self.r
        pop = self.pop
        end = pop.end_ts - 1
        timestamps, accounts = pop.orders[self.platform]
        order_id = 5_100_000_000_000
        line_id = 13_200_000_000_000
        refund_id = 905_000_000_000
        transaction_id = 6_900_000_000_000
        for seq, (ts, account) in enumerate(zip(timestamps.tolist(), accounts.tolist(), strict=True)):
            order_id += r.randint(200_000, 9_000_000)
            number = 1001 + seq
            person = int(pop.acc_person[account])
            guest = bool(pop.acc_guest[account])  # a POS walk-in: no customer, no e-mail
            address = pop.address[person]
            presentment = PRESENTMENT[address["country"]]
            rate_bp, tax_title = _tax_for(address)
            test = r.random() < TEST_SHARE
            source = "pos" if guest else _weighted(r, SOURCES)
            items = catalog.basket(self.picker, r, float(pop.spend_usd[person]), ts)
            pres_prices = [money.list_price(p.usd_cents, presentment) for p, _, _ in items]
            shop_prices = [money.convert(x, presentment, SHOP_CURRENCY) for x in pres_prices]
            quantities = [q for _, _, q in items]
            code = DISCOUNT_CODES[r.randrange(3)] if (not guest and r.random() < 0.14) else None
            pct = code[1] if code else 0
            pres_line_sum = sum(p * q for p, q in zip(pres_prices, quantities, strict=True))
            free = guest or money.convert(pres_line_sum, presentment, SHOP_CURRENCY) >= FREE_SHIPPING_USD
            pres_ship = 0 if free else SHIPPING[presentment]
            pres = _amounts(pres_prices, quantities, pct, pres_ship, rate_bp)
            shop = _amounts(
                shop_prices, quantities, pct, money.convert(pres_ship, presentment, SHOP_CURRENCY), rate_bp
            )

            line_ids = []
            for _ in items:
                line_id += r.randint(1_000, 400_000)
                line_ids.append(line_id)

            # -- lifecycle ------------------------------------------------------------------------
            events = [ts + r.randint(1, 40)]
            cancelled_at = closed_at = None
            cancel_reason = None
            fulfilled_at = None
            draw = r.random()
            gateway = "bogus" if test else "shopify_payments"
            if not test and draw < CANCEL_SHARE:
                cancelled_at = min(end, ts + r.randint(600, 2 * DAY))
                cancel_reason = CANCEL_REASONS[r.randrange(len(CANCEL_REASONS))]
                closed_at = cancelled_at
                financial = "voided"
                events.append(cancelled_at)
            else:
                paid_at = ts
                if not test and draw < CANCEL_SHARE + BANK_TRANSFER_SHARE:
                    gateway = "Bank Deposit"
                    paid_at = ts + r.randint(DAY // 2, 5 * DAY)
                ship_at = max(paid_at, ts) + (0 if guest else int(r.expovariate(1 / 1.5) * DAY) + 7200)
                if paid_at > end:
                    financial = "pending"
                else:
                    events.append(paid_at)
                    if ship_at <= end:
                        fulfilled_at = ship_at
                        closed_at = ship_at + r.randint(5, 600) if ship_at + 600 <= end else None
                        events.extend(x for x in (fulfilled_at, closed_at) if x)
                    manual = gateway == "shopify_payments" and r.random() < MANUAL_CAPTURE_SHARE
                    financial = "authorized" if (manual and fulfilled_at is None) else "paid"

            # -- refunds --------------------------------------------------------------------------
            refunds = []
            refunded_qty = [0] * len(items)
            refunded = dict(NO_REFUND)
            if financial == "paid" and not test and r.random() < REFUND_SHARE:
                at = (fulfilled_at or ts) + DAY + int(r.expovariate(1 / 8) * DAY)
                partial = r.random() < 0.6 and (len(items) > 1 or quantities[0] > 1)
                plans = [at]
                if partial and r.random() < 0.2:
                    plans.append(at + DAY + int(r.expovariate(1 / 10) * DAY))
                for when in plans:
                    if when > end:
                        break
                    remaining = [q - done for q, done in zip(quantities, refunded_qty, strict=True)]
                    take = remaining
                    if partial:
                        idx = r.choice([i for i, left in enumerate(remaining) if left])
                        k = r.randint(1, remaining[idx])
                        if k == sum(remaining):
                            k -= 1
                        if k:
                            take = [0] * len(items)
                            take[idx] = k
                    with_shipping = take is remaining
                    refund_id += r.randint(1_000, 900_000)
                    transaction_id += r.randint(1_000, 900_000)
                    refund, sums = self._refund(
                        refund_id,
                        transaction_id,
                        order_id,
                        when,
                        line_ids,
                        take,
                        quantities,
                        pres,
                        shop,
                        presentment,
                        with_shipping,
                        gateway,
                        test,
                    )
                    refunds.append(refund)
                    for i, k in enumerate(take):
                        refunded_qty[i] += k
                    for key, value in sums.items():
                        refunded[key] += value
                    events.append(when)
                    if sum(refunded_qty) == sum(quantities):
                        break
                if refunds:
                    financial = "refunded" if sum(refunded_qty) == sum(quantities) else "partially_refunded"
            if r.random() < LATE_EDIT_SHARE:
                edit = ts + 3600 + int(r.expovariate(1 / 20) * DAY)
                if edit <= end:
                    events.append(edit)
            updated = max(e for e in events if e <= end)
            token = r.getrandbits(128)
            if not guest:
                self.last_order[account] = (order_id, f"#{number}")
                self.orders_count[account] = self.orders_count.get(account, 0) + 1
                if not test and financial in ("paid", "partially_refunded", "refunded"):
                    self.total_spent[account] = (
                        self.total_spent.get(account, 0) + shop["total"] - refunded["shop"]
                    )
            sale = Sale(
                order_id=order_id,
                number=number,
                created=ts,
                updated=updated,
                account=None if guest else account,
                country=address["country"],
                items=items,
                variant_ids=[self.variant_id[(p.index, size)] for p, size, _ in items],
                skus=[p.variant_skus()[size] if size >= 0 else p.sku for p, size, _ in items],
                line_ids=line_ids,
                shop_prices=shop_prices,
                pres_prices=pres_prices,
                shop=shop,
                pres=pres,
                presentment=presentment,
                rate_bp=rate_bp,
                tax_title=tax_title,
                code=code,
                free=free,
                test=test,
                source=source,
                financial=financial,
                fulfilled_at=fulfilled_at,
                cancelled_at=cancelled_at,
                cancel_reason=cancel_reason,
                closed_at=closed_at,
                gateway=gateway,
                refunds=refunds,
                refunded=refunded,
                refunded_qty=refunded_qty,
            )
            yield self._order_node(sale, _confirmation(token))
        for index, product in enumerate(self.large_products):
            yield self._large_order(index, product)

    def _large_order(self, index: int, product: dict) -> dict:
        """A paid, fulfilled guest order of more than 250 lines of one large product (no tax, no shipping)."""
        r = self.large_r
        variants = product["variants"]
        count = r.randint(*LARGE_LINES)
        picks = [variants[k % len(variants)] for k in range(count)]
        quantities = [r.randint(1, 3) for _ in picks]
        prices = [v["price"] for v in picks]
        amounts = _amounts(prices, quantities, 0, 0, 0)
        created = max(product["created"] + DAY, self.pop.end_ts - (index + 2) * 7 * DAY)
        fake = catalog.Product(
            index=-1,
            sku="",
            handle="",
            title_en=product["title"],
            title_de=product["title"],
            product_type="Home",
            vendor="Metric Pulse Goods",
            usd_cents=prices[0],
            sizes=tuple(v["title"] for v in variants),
            grams=300,
            created_ts=created,
            updated_ts=created,
            status="active",
            on_platform=frozenset({self.platform}),
        )
        sale = Sale(
            order_id=LARGE_ORDER_ID + index,
            number=900_001 + index,
            created=created,
            updated=created + 3 * 3600,
            account=None,
            country="US",
            items=[(fake, variants.index(v), q) for v, q in zip(picks, quantities, strict=True)],
            variant_ids=[v["id"] for v in picks],
            skus=[v["sku"] for v in picks],
            line_ids=[LARGE_LINE_ID + index * 10_000 + k for k in range(count)],
            shop_prices=prices,
            pres_prices=prices,
            shop=amounts,
            pres=amounts,
            presentment=SHOP_CURRENCY,
            rate_bp=0,
            tax_title="",
            code=None,
            free=True,
            test=False,
            source="web",
            financial="paid",
            fulfilled_at=created + 3600,
            cancelled_at=None,
            cancel_reason=None,
            closed_at=created + 3 * 3600,
            gateway="shopify_payments",
            refunds=[],
            refunded=dict(NO_REFUND),
            refunded_qty=[0] * count,
        )
        return self._order_node(sale, f"LARGE{index + 1:04d}", product_id=LARGE_PRODUCT_ID + index)

    def _order_node(self, sale: Sale, confirmation: str, product_id: int | None = None) -> dict:
        """The Order node of a sale; `product_id` overrides the catalog's (large orders)."""
        shop, pres, cur = sale.shop, sale.pres, sale.presentment
        refunded = sale.refunded
        guest = sale.account is None

        def bag(key: str, minus: str | None = None) -> dict:
            s = shop[key] - (refunded[minus + "_shop"] if minus else 0)
            p = pres[key] - (refunded[minus + "_pres"] if minus else 0)
            return money_bag(s, p, cur)

        line_items = []
        for i, (product, size, quantity) in enumerate(sale.items):
            variant_title = product.sizes[size] if size >= 0 else None
            line_items.append(
                {
                    "id": gid("LineItem", sale.line_ids[i]),
                    "name": f"{product.title_en} - {variant_title}" if variant_title else product.title_en,
                    "title": product.title_en,
                    "sku": sale.skus[i],
                    "quantity": quantity,
                    "currentQuantity": quantity - sale.refunded_qty[i],
                    "unfulfilledQuantity": 0
                    if (sale.fulfilled_at or sale.cancelled_at)
                    else quantity - sale.refunded_qty[i],
                    "vendor": product.vendor,
                    "variantTitle": variant_title,
                    "taxable": True,
                    "isGiftCard": False,
                    "requiresShipping": not guest,
                    "variant": ref("ProductVariant", sale.variant_ids[i]),
                    "product": ref("Product", product_id or self.product_id[product.index]),
                    "originalUnitPriceSet": money_bag(sale.shop_prices[i], sale.pres_prices[i], cur),
                    "originalTotalSet": money_bag(shop["line_totals"][i], pres["line_totals"][i], cur),
                    "totalDiscountSet": money_bag(0, 0, cur),
                    "taxLines": _tax_lines(
                        sale.tax_title, sale.rate_bp, shop["line_taxes"][i], pres["line_taxes"][i], cur
                    ),
                    "discountAllocations": [
                        {
                            "allocatedAmountSet": money_bag(
                                shop["line_discounts"][i], pres["line_discounts"][i], cur
                            ),
                            "discountApplication": {"__typename": "DiscountCodeApplication", "index": 0},
                        }
                    ]
                    if sale.code
                    else [],
                }
            )
        customer = None
        email = None
        if not guest:
            customer = self._customer_core(sale.account)
            email = customer["defaultEmailAddress"]["emailAddress"]
        address = None if guest else self._address(sale.account, customer=False)
        refund_shop, refund_pres = refunded["shop"], refunded["pres"]
        outstanding = shop["total"] if sale.financial in ("pending", "authorized") else 0
        return {
            **ref("Order", sale.order_id),
            "name": f"#{sale.number}",
            "email": email,
            "phone": None,
            "createdAt": iso_z(sale.created),
            "updatedAt": iso_z(sale.updated),
            "processedAt": iso_z(sale.created),
            "cancelledAt": iso_z(sale.cancelled_at) if sale.cancelled_at else None,
            "cancelReason": sale.cancel_reason.upper() if sale.cancel_reason else None,
            "closedAt": iso_z(sale.closed_at) if sale.closed_at else None,
            "closed": sale.closed_at is not None,
            "confirmed": True,
            "confirmationNumber": confirmation,
            "displayFinancialStatus": sale.financial.upper(),
            "displayFulfillmentStatus": "FULFILLED" if sale.fulfilled_at else "UNFULFILLED",
            "test": sale.test,
            "sourceName": sale.source,
            "currencyCode": SHOP_CURRENCY,
            "presentmentCurrencyCode": cur,
            "customerLocale": people.LOCALES[sale.country],
            "paymentGatewayNames": [sale.gateway],
            "discountCodes": [sale.code[0]] if sale.code else [],
            "tags": [],
            "note": None,
            "taxesIncluded": False,
            "subtotalLineItemsQuantity": sum(q for _, _, q in sale.items),
            "totalWeight": str(sum(p.grams * q for p, _, q in sale.items)),  # UnsignedInt64: a string
            "totalPriceSet": bag("total"),
            "subtotalPriceSet": bag("subtotal"),
            "totalTaxSet": bag("tax"),
            "totalDiscountsSet": bag("discounts"),
            "totalShippingPriceSet": bag("shipping"),
            "currentTotalPriceSet": money_bag(shop["total"] - refund_shop, pres["total"] - refund_pres, cur),
            "currentSubtotalPriceSet": bag("subtotal", "subtotal"),
            "currentTotalTaxSet": bag("tax", "tax"),
            "currentTotalDiscountsSet": bag("discounts", "discount"),
            "totalRefundedSet": money_bag(refund_shop, refund_pres, cur),
            "totalOutstandingSet": money_bag(outstanding, outstanding and pres["total"], cur),
            "taxLines": _tax_lines(sale.tax_title, sale.rate_bp, shop["tax"], pres["tax"], cur),
            "customer": customer,
            "billingAddress": address,
            "shippingAddress": address,
            "lineItems": nodes(line_items),
            "shippingLines": nodes(
                []
                if guest
                else [
                    {
                        "id": gid("ShippingLine", sale.order_id + 200_000_000_000),
                        "title": "Free Shipping" if sale.free else "Standard",
                        "code": "Free Shipping" if sale.free else "Standard",
                        "source": "shopify",
                        "carrierIdentifier": None,
                        "originalPriceSet": money_bag(shop["shipping"], pres["shipping"], cur),
                        "discountedPriceSet": money_bag(shop["shipping"], pres["shipping"], cur),
                        "taxLines": [],
                    }
                ]
            ),
            "discountApplications": nodes(
                [
                    {
                        "__typename": "DiscountCodeApplication",
                        "index": 0,
                        "allocationMethod": "ACROSS",
                        "targetSelection": "ALL",
                        "targetType": "LINE_ITEM",
                        "value": {"__typename": "PricingPercentageValue", "percentage": float(sale.code[1])},
                        "code": sale.code[0],
                    }
                ]
                if sale.code
                else []
            ),
            "refunds": sale.refunds,
        }

    def _refund(
        self,
        refund_id: int,
        transaction_id: int,
        order_id: int,
        when: int,
        line_ids: list[int],
        take: list[int],
        quantities: list[int],
        pres: dict,
        shop: dict,
        presentment: str,
        with_shipping: bool,
        gateway: str,
        test: bool,
    ) -> tuple[dict, dict]:
        r = self.r
        sums = dict(NO_REFUND)
        refund_lines = []
        for i, k in enumerate(take):
            if not k:
                continue
            share = {}
            for cur, amounts in (("pres", pres), ("shop", shop)):
                net = amounts["line_totals"][i] - amounts["line_discounts"][i]
                share[cur] = (
                    money.div_half_even(net * k, quantities[i]),
                    money.div_half_even(amounts["line_taxes"][i] * k, quantities[i]),
                    money.div_half_even(amounts["line_discounts"][i] * k, quantities[i]),
                )
                sums[f"subtotal_{cur}"] += share[cur][0]
                sums[f"tax_{cur}"] += share[cur][1]
                sums[f"discount_{cur}"] += share[cur][2]
                sums[cur] += share[cur][0] + share[cur][1]
            restock = "RETURN" if r.random() < 0.7 else "NO_RESTOCK"
            refund_lines.append(
                {
                    "id": gid("RefundLineItem", refund_id * 10 + 1 + len(refund_lines)),
                    "quantity": k,
                    "restockType": restock,
                    "restocked": restock == "RETURN",
                    "lineItem": {"id": gid("LineItem", line_ids[i])},
                    "subtotalSet": money_bag(share["shop"][0], share["pres"][0], presentment),
                    "totalTaxSet": money_bag(share["shop"][1], share["pres"][1], presentment),
                }
            )
        shipping_lines = []
        if with_shipping and shop["shipping"]:
            # Shipping refunded with the last items: a refund shipping line (Shopify keeps refunded
            # shipping out of `orderAdjustments`, which hold only discrepancies; the generator has none).
            shipping_lines.append(
                {
                    "id": gid("RefundShippingLine", refund_id * 10 + 8),
                    "shippingLine": {"id": gid("ShippingLine", order_id + 200_000_000_000)},
                    "subtotalAmountSet": money_bag(shop["shipping"], pres["shipping"], presentment),
                    "taxAmountSet": money_bag(shop["shipping_tax"], pres["shipping_tax"], presentment),
                }
            )
            for cur, amounts in (("pres", pres), ("shop", shop)):
                sums[cur] += amounts["shipping"] + amounts["shipping_tax"]
                sums[f"tax_{cur}"] += amounts["shipping_tax"]
        created = iso_z(when)
        refund = {
            **ref("Refund", refund_id),
            "order": ref("Order", order_id),
            "createdAt": created,
            "updatedAt": created,
            "note": ("Customer returned item", "Damaged in transit", "Wrong size", None)[r.randrange(4)],
            "totalRefundedSet": money_bag(sums["shop"], sums["pres"], presentment),
            "refundLineItems": nodes(refund_lines),
            "refundShippingLines": nodes(shipping_lines),
            "orderAdjustments": nodes([]),
            "transactions": nodes(
                [
                    {
                        "id": gid("OrderTransaction", transaction_id),
                        "kind": "REFUND",
                        "status": "SUCCESS",
                        "gateway": gateway,
                        "test": test,
                        "processedAt": created,
                        "createdAt": created,
                        "amountSet": money_bag(sums["shop"], sums["pres"], presentment),
                        "parentTransaction": {"id": gid("OrderTransaction", transaction_id - 1)},
                    }
                ]
            ),
        }
        return refund, sums


def _weighted(r: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    x = r.random()
    for value, weight in options:
        x -= weight
        if x < 0:
            return value
    return options[-1][0]


def _confirmation(token: int) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(alphabet[(token >> (5 * i)) & 31] for i in range(9))
