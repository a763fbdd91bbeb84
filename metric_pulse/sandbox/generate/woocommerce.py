"""WooCommerce REST v3: Product, Order and Customer objects as `GET /wp-json/wc/v3/{resource}` returns them.

The site is a UK shop (site time Europe/London, base currency GBP) that also
sells in EUR to Germany and France. Dates come in pairs: `date_x` in site time
and `date_x_gmt` in UTC, both without a zone suffix. Amounts are 2-decimal
strings; a line item's `price` is a JSON number.

Refunds: the order object lists only `{id, reason, total}` (total negative),
exactly as the real API; `refunds.json` holds the refunds themselves as
`GET /orders/<id>/refunds` returns them (dated, with their lines), each with the
`parent_id` of its order (the emulator serves it without). A refunded order is
never modified after its last refund. `variations.json` holds the variations of
the variable products as `GET /products/<id>/variations` returns them. Both are
drawn without touching the random stream, so the other files stay the same.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import numpy as np

from metric_pulse.sandbox.generate import catalog, money, people
from metric_pulse.sandbox.generate.output import naive
from metric_pulse.sandbox.generate.population import DAY, Population

SITE_TZ = ZoneInfo("Europe/London")
SITE_URL = "https://shop.example.org"
BASE_CURRENCY = "GBP"
ORDER_CURRENCY = {"GB": "GBP", "DE": "EUR", "FR": "EUR", "US": "GBP", "CA": "GBP", "JP": "GBP"}
SYMBOL = {"GBP": "£", "EUR": "€"}
# (rate id, basis points, label, rate code); exports outside Europe are zero-rated
TAX = {
    "GB": (1, 2000, "VAT", "GB-VAT-1"),
    "DE": (2, 1900, "MwSt.", "DE-MWST-1"),
    "FR": (3, 2000, "TVA", "FR-TVA-1"),
}
SHIPPING = {
    "GB": (395, 5000),
    "DE": (595, 6000),
    "FR": (595, 6000),
    "US": (995, None),
    "CA": (995, None),
    "JP": (1295, None),
}  # (flat rate, free above) in the order currency
COUPONS = (("summer10", 10), ("welcome15", 15))
PAYMENT = (
    ("stripe", "Credit / Debit Card", 0.62),
    ("ppcp-gateway", "PayPal", 0.3),
    ("bacs", "Direct bank transfer", 0.08),
)
VERSION = "9.3.3"
FAILED_SHARE = 0.025
CANCELLED_SHARE = 0.035
REFUND_SHARE = 0.08
LATE_EDIT_SHARE = 0.1
REFUND_REASONS = ("", "Returned", "Damaged on arrival", "Wrong size", "Customer changed their mind")


def _date_pair(name: str, ts: int | None) -> dict:
    if ts is None:
        return {name: None, f"{name}_gmt": None}
    return {name: naive(ts, SITE_TZ), f"{name}_gmt": naive(ts)}


def _dates(**named: int | None) -> dict:
    """date_created, date_created_gmt, … in the order the API prints them (site time first)."""
    out = {}
    for name, ts in named.items():
        out.update(_date_pair(f"date_{name}", ts))
    return out


class WooStore:
    platform = "woocommerce"
    # its shop in the population and the catalog (`population.Profile`)
    order_share = 0.30
    guest_share = 0.25
    home_country_mix = (0.05, 0.02, 0.70, 0.12, 0.11, 0.00)
    catalog_share = 0.82

    def __init__(self, population: Population, products: list[catalog.Product], seed: int):
        self.pop = population
        self.catalog = products
        self.r = random.Random(f"{seed}/woocommerce")
        self.picker = catalog.Picker(products, self.platform)
        # products are posts; sized products are `variable` with one variation post per size
        self.product_id: dict[int, int] = {}
        self.variation_id: dict[tuple[int, int], int] = {}
        self.category_id = {t: 15 + i for i, t in enumerate(sorted(catalog.PRODUCT_TYPES))}
        post = 20
        for p in products:
            if self.platform in p.on_platform:
                post += self.r.randint(1, 6)
                self.product_id[p.index] = post
                for size in range(len(p.sizes)):
                    post += 1
                    self.variation_id[(p.index, size)] = post
        self.total_sales: dict[int, int] = {}
        accounts = population.accounts_of(self.platform)
        registered = accounts[~population.acc_guest[accounts]]
        registered = registered[np.lexsort((registered, population.acc_created_ts[registered]))]
        self.customer_accounts = registered
        self.customer_id: dict[int, int] = {}
        user = 1  # user 1 is the site admin
        for account in registered.tolist():
            user += 1 if self.r.random() < 0.95 else self.r.randint(2, 4)
            self.customer_id[account] = user
        self.paying: set[int] = set()
        self.refund_records: list[dict] = []  # filled while the orders stream out

    def extra_resources(self) -> dict[str, list[dict]]:
        """Files besides orders, customers and products (written after them): refunds and variations."""
        return {"refunds": self.refund_records, "variations": list(self._variations())}

    def _address(self, account: int, *, with_email: bool) -> dict:
        pop = self.pop
        person = int(pop.acc_person[account])
        a = pop.address[person]
        out = {
            "first_name": pop.first_name[person],
            "last_name": pop.last_name[person],
            "company": "",
            "address_1": people.street_line(a),
            "address_2": a["line2"],
            "city": a["city"],
            "state": a["state"],
            "postcode": a["postcode"],
            "country": a["country"],
        }
        if with_email:
            out["email"] = pop.acc_email[account]
        out["phone"] = a["phone"]
        return out

    # -- products -------------------------------------------------------------------------------
    def products(self) -> Iterator[dict]:
        for p in self.catalog:
            if self.platform not in p.on_platform:
                continue
            pid = self.product_id[p.index]
            price = money.fmt(money.list_price(p.usd_cents, BASE_CURRENCY))
            status = {"active": "publish", "draft": "draft", "archived": "private"}[p.status]
            category = p.product_type
            yield {
                "id": pid,
                "name": p.title_en,
                "slug": p.handle,
                "permalink": f"{SITE_URL}/product/{p.handle}/",
                **_dates(created=p.created_ts, modified=p.updated_ts),
                "type": "variable" if p.sizes else "simple",
                "status": status,
                "featured": False,
                "catalog_visibility": "visible",
                "description": f"<p>{p.title_en} by {p.vendor}.</p>",
                "short_description": "",
                "sku": p.sku,
                "price": price,
                "regular_price": "" if p.sizes else price,
                "sale_price": "",
                "date_on_sale_from": None,
                "date_on_sale_from_gmt": None,
                "date_on_sale_to": None,
                "date_on_sale_to_gmt": None,
                "on_sale": False,
                "purchasable": status == "publish",
                "total_sales": self.total_sales.get(p.index, 0),
                "virtual": False,
                "downloadable": False,
                "downloads": [],
                "download_limit": -1,
                "download_expiry": -1,
                "external_url": "",
                "button_text": "",
                "tax_status": "taxable",
                "tax_class": "",
                "manage_stock": False,
                "stock_quantity": None,
                "backorders": "no",
                "backorders_allowed": False,
                "backordered": False,
                "low_stock_amount": None,
                "sold_individually": False,
                "weight": f"{p.grams / 1000:g}",
                "dimensions": {"length": "", "width": "", "height": ""},
                "shipping_required": True,
                "shipping_taxable": True,
                "shipping_class": "",
                "shipping_class_id": 0,
                "reviews_allowed": True,
                "average_rating": "0.00",
                "rating_count": 0,
                "upsell_ids": [],
                "cross_sell_ids": [],
                "parent_id": 0,
                "purchase_note": "",
                "categories": [
                    {"id": self.category_id[category], "name": category, "slug": category.lower()}
                ],
                "tags": [],
                "images": [],
                "attributes": [
                    {
                        "id": 1,
                        "name": "Size",
                        "slug": "pa_size",
                        "position": 0,
                        "visible": True,
                        "variation": True,
                        "options": list(p.sizes),
                    }
                ]
                if p.sizes
                else [],
                "default_attributes": [],
                "variations": [self.variation_id[(p.index, s)] for s in range(len(p.sizes))],
                "grouped_products": [],
                "menu_order": 0,
                "related_ids": [],
                "meta_data": [],
                "stock_status": "instock",
                "has_options": bool(p.sizes),
                "_links": {
                    "self": [{"href": f"{SITE_URL}/wp-json/wc/v3/products/{pid}"}],
                    "collection": [{"href": f"{SITE_URL}/wp-json/wc/v3/products"}],
                },
            }

    def _variations(self) -> Iterator[dict]:
        for p in self.catalog:
            if self.platform not in p.on_platform:
                continue
            parent = self.product_id[p.index]
            price = money.fmt(money.list_price(p.usd_cents, BASE_CURRENCY))
            for size, label in enumerate(p.sizes):
                vid = self.variation_id[(p.index, size)]
                yield {
                    "id": vid,
                    "parent_id": parent,
                    "name": f"{p.title_en} - {label}",
                    **_dates(created=p.created_ts, modified=p.updated_ts),
                    "description": "",
                    "permalink": f"{SITE_URL}/product/{p.handle}/?attribute_pa_size={label.lower()}",
                    "sku": f"{p.sku}-{label}",
                    "price": price,
                    "regular_price": price,
                    "sale_price": "",
                    "on_sale": False,
                    "status": "publish",
                    "purchasable": True,
                    "virtual": False,
                    "downloadable": False,
                    "tax_status": "taxable",
                    "tax_class": "",
                    "manage_stock": False,
                    "stock_quantity": None,
                    "stock_status": "instock",
                    "weight": f"{p.grams / 1000:g}",
                    "attributes": [{"id": 1, "name": "Size", "slug": "pa_size", "option": label}],
                    "menu_order": size,
                    "meta_data": [],
                    "_links": {
                        "self": [{"href": f"{SITE_URL}/wp-json/wc/v3/products/{parent}/variations/{vid}"}],
                        "up": [{"href": f"{SITE_URL}/wp-json/wc/v3/products/{parent}"}],
                    },
                }

    # -- customers -------------------------------------------------------------------------------
    def customers(self) -> Iterator[dict]:
        pop = self.pop
        for account in self.customer_accounts.tolist():
            cid = self.customer_id[account]
            email = pop.acc_email[account]
            created = int(pop.acc_created_ts[account])
            modified = max(created, int(pop.acc_last_order_ts[account]) + 2, int(pop.acc_edit_ts[account]))
            avatar = hashlib.md5(email.strip().lower().encode()).hexdigest()
            yield {
                "id": cid,
                **_dates(created=created, modified=modified),
                "email": email,
                "first_name": pop.first_name[int(pop.acc_person[account])],
                "last_name": pop.last_name[int(pop.acc_person[account])],
                "role": "customer",
                "username": email.strip().split("@")[0].lower(),
                "billing": self._address(account, with_email=True),
                "shipping": self._address(account, with_email=False),
                "is_paying_customer": account in self.paying,
                "avatar_url": f"https://secure.gravatar.com/avatar/{avatar}?s=96&d=mm&r=g",
                "meta_data": [],
                "_links": {
                    "self": [{"href": f"{SITE_URL}/wp-json/wc/v3/customers/{cid}"}],
                    "collection": [{"href": f"{SITE_URL}/wp-json/wc/v3/customers"}],
                },
            }

    # -- orders ----------------------------------------------------------------------------------
    def orders(self) -> Iterator[dict]:
        r = self.r
        pop = self.pop
        end = pop.end_ts - 1
        timestamps, accounts = pop.orders[self.platform]
        order_id = 1000
        item_id = 500
        # refunds are posts too; keep their ids clear of every order id (at most 1000 + 3 per order)
        refund_id = ((1000 + 3 * timestamps.size) // 1_000_000 + 9) * 1_000_000
        for ts, account in zip(timestamps.tolist(), accounts.tolist(), strict=True):
            order_id += r.randint(1, 3)  # posts/HPOS ids are shared with drafts and refunds
            person = int(pop.acc_person[account])
            guest = bool(pop.acc_guest[account])
            country = pop.country[person]
            currency = ORDER_CURRENCY[country]
            tax = TAX.get(country)
            rate_bp = tax[1] if tax else 0
            items = catalog.basket(self.picker, r, float(pop.spend_usd[person]), ts)
            prices = [money.list_price(p.usd_cents, currency) for p, _, _ in items]
            quantities = [q for _, _, q in items]
            coupon = COUPONS[r.randrange(2)] if r.random() < 0.12 else None
            pct = coupon[1] if coupon else 0
            subtotals = [p * q for p, q in zip(prices, quantities, strict=True)]
            totals = [s - money.div_half_even(s * pct, 100) for s in subtotals]
            subtotal_taxes = [money.tax_on(s, rate_bp) for s in subtotals]
            total_taxes = [money.tax_on(t, rate_bp) for t in totals]
            flat, free_above = SHIPPING[country]
            shipping = 0 if (free_above is not None and sum(totals) >= free_above) else flat
            shipping_tax = money.tax_on(shipping, rate_bp)
            cart_tax = sum(total_taxes)
            discount = sum(subtotals) - sum(totals)
            discount_tax = sum(subtotal_taxes) - cart_tax
            total = sum(totals) + shipping + cart_tax + shipping_tax
            created_via = "checkout" if r.random() < 0.9 else ("admin" if r.random() < 0.7 else "rest-api")
            method, method_title = _weighted_payment(r)

            # -- lifecycle -----------------------------------------------------------------------
            draw = r.random()
            paid_at = completed_at = None
            events = [ts + r.randint(1, 20)]
            refunds: list[dict] = []
            if draw < FAILED_SHARE and method != "bacs":
                status = "failed"
                events.append(min(end, ts + r.randint(30, 900)))
            elif draw < FAILED_SHARE + CANCELLED_SHARE:
                status = "cancelled"  # unpaid, released when the hold-stock time ran out or by the shopper
                events.append(min(end, ts + r.randint(3600, 3 * DAY)))
            else:
                paid_at = ts + (r.randint(DAY // 2, 5 * DAY) if method == "bacs" else r.randint(5, 90))
                if paid_at > end:
                    paid_at = None
                    status = "on-hold" if method == "bacs" else "pending"
                else:
                    events.append(paid_at)
                    done = paid_at + 7200 + int(r.expovariate(1 / 2.0) * DAY)
                    if done <= end:
                        completed_at = done
                        events.append(done)
                        status = "completed"
                    else:
                        status = "processing"
                    if r.random() < REFUND_SHARE:
                        refunds = self._refunds(
                            r,
                            (completed_at or paid_at),
                            end,
                            subtotals,
                            totals,
                            total_taxes,
                            quantities,
                            shipping + shipping_tax,
                            total,
                        )
                        if refunds:
                            refund_id, refunds = self._number_refunds(refund_id, refunds, r)
                            events.append(refunds[0]["_at"])
                            if sum(int(x["_minor"]) for x in refunds) >= total:
                                status = "refunded"
            if not refunds and r.random() < LATE_EDIT_SHARE:
                edit = ts + 3600 + int(r.expovariate(1 / 15) * DAY)
                if edit <= end:
                    events.append(edit)
            modified = max(e for e in events if e <= end)

            if paid_at is not None and not guest:
                self.paying.add(account)

            line_items = []
            for i, (product, size, quantity) in enumerate(items):
                item_id += 1
                variation = self.variation_id[(product.index, size)] if size >= 0 else 0
                taxes = (
                    [
                        {
                            "id": tax[0],
                            "total": money.fmt(total_taxes[i]),
                            "subtotal": money.fmt(subtotal_taxes[i]),
                        }
                    ]
                    if tax
                    else []
                )
                self.total_sales[product.index] = self.total_sales.get(product.index, 0) + quantity
                line_items.append(
                    {
                        "id": item_id,
                        "name": f"{product.title_en} - {product.sizes[size]}"
                        if size >= 0
                        else product.title_en,
                        "product_id": self.product_id[product.index],
                        "variation_id": variation,
                        "quantity": quantity,
                        "tax_class": "",
                        "subtotal": money.fmt(subtotals[i]),
                        "subtotal_tax": money.fmt(subtotal_taxes[i]),
                        "total": money.fmt(totals[i]),
                        "total_tax": money.fmt(total_taxes[i]),
                        "taxes": taxes,
                        "meta_data": [
                            {
                                "id": item_id * 10 + 1,
                                "key": "pa_size",
                                "value": product.sizes[size].lower(),
                                "display_key": "Size",
                                "display_value": product.sizes[size],
                            }
                        ]
                        if size >= 0
                        else [],
                        "sku": product.variant_skus()[size] if size >= 0 else product.sku,
                        "price": totals[i] / quantity / 100,
                        "image": {"id": "", "src": ""},
                        "parent_name": product.title_en if size >= 0 else None,
                    }
                )
            tax_lines = []
            if tax:
                item_id += 1
                tax_lines.append(
                    {
                        "id": item_id,
                        "rate_code": tax[3],
                        "rate_id": tax[0],
                        "label": tax[2],
                        "compound": False,
                        "tax_total": money.fmt(cart_tax),
                        "shipping_tax_total": money.fmt(shipping_tax),
                        "rate_percent": rate_bp / 100,
                        "meta_data": [],
                    }
                )
            item_id += 1
            shipping_lines = [
                {
                    "id": item_id,
                    "method_title": "Free shipping" if not shipping else "Flat rate",
                    "method_id": "free_shipping" if not shipping else "flat_rate",
                    "instance_id": "1" if shipping else "2",
                    "total": money.fmt(shipping),
                    "total_tax": money.fmt(shipping_tax),
                    "taxes": [{"id": tax[0], "total": money.fmt(shipping_tax), "subtotal": ""}]
                    if tax
                    else [],
                    "tax_status": "taxable",
                    "meta_data": [],
                }
            ]
            coupon_lines = []
            if coupon:
                item_id += 1
                coupon_lines.append(
                    {
                        "id": item_id,
                        "code": coupon[0],
                        "discount": money.fmt(discount),
                        "discount_tax": money.fmt(discount_tax),
                        "meta_data": [],
                    }
                )
            key = f"{r.getrandbits(64):016x}"
            order = {
                "id": order_id,
                "parent_id": 0,
                "status": status,
                "currency": currency,
                "version": VERSION,
                "prices_include_tax": False,
                **_dates(created=ts, modified=modified),
                "discount_total": money.fmt(discount),
                "discount_tax": money.fmt(discount_tax),
                "shipping_total": money.fmt(shipping),
                "shipping_tax": money.fmt(shipping_tax),
                "cart_tax": money.fmt(cart_tax),
                "total": money.fmt(total),
                "total_tax": money.fmt(cart_tax + shipping_tax),
                "customer_id": 0 if guest else self.customer_id[account],
                "order_key": f"wc_order_{key[:13]}",
                "billing": self._address(account, with_email=True),
                "shipping": self._address(account, with_email=False),
                "payment_method": method,
                "payment_method_title": method_title,
                "transaction_id": f"pi_{key}{order_id:x}" if (paid_at and method == "stripe") else "",
                "customer_ip_address": "",
                "customer_user_agent": "",
                "created_via": created_via,
                "customer_note": "",
                **_dates(completed=completed_at, paid=paid_at),
                "cart_hash": f"{r.getrandbits(128):032x}" if created_via == "checkout" else "",
                "number": str(order_id),
                "meta_data": [],
                "line_items": line_items,
                "tax_lines": tax_lines,
                "shipping_lines": shipping_lines,
                "fee_lines": [],
                "coupon_lines": coupon_lines,
                "refunds": [{"id": x["id"], "reason": x["reason"], "total": x["total"]} for x in refunds],
                "payment_url": f"{SITE_URL}/checkout/order-pay/{order_id}/?pay_for_order=true&key=wc_order_{key[:13]}",
                "is_editable": status in ("pending", "on-hold", "failed"),
                "needs_payment": status in ("pending", "failed"),
                "needs_processing": True,
                "currency_symbol": SYMBOL[currency],
                "_links": {
                    "self": [{"href": f"{SITE_URL}/wp-json/wc/v3/orders/{order_id}"}],
                    "collection": [{"href": f"{SITE_URL}/wp-json/wc/v3/orders"}],
                },
            }
            if not guest:
                order["_links"]["customer"] = [
                    {"href": f"{SITE_URL}/wp-json/wc/v3/customers/{self.customer_id[account]}"}
                ]
            self.refund_records += [
                _refund_object(order_id, x, line_items, (shipping, shipping_tax), method != "bacs")
                for x in reversed(refunds)
            ]
            yield order

    @staticmethod
    def _refunds(
        r: random.Random,
        after: int,
        end: int,
        subtotals: list[int],
        totals: list[int],
        total_taxes: list[int],
        quantities: list[int],
        shipping_gross: int,
        total: int,
    ) -> list[dict]:
        """Refunds, latest first (the API lists them newest first).

        Each is {'_at', '_minor', 'reason', '_lines': [(line index, quantity, net, tax)], '_shipping'
        (whether the shipping is refunded too)}; a goodwill refund has no lines (an amount only, as in the admin).
        """
        at = after + DAY + int(r.expovariate(1 / 7) * DAY)
        if at > end:
            return []
        if r.random() < 0.55 or (len(totals) == 1 and quantities[0] == 1):
            whole = [
                (i, q, t, x) for i, (q, t, x) in enumerate(zip(quantities, totals, total_taxes, strict=True))
            ]
            reason = REFUND_REASONS[r.randrange(len(REFUND_REASONS))]
            return [{"_at": at, "_minor": total, "reason": reason, "_lines": whole, "_shipping": True}]
        i = r.randrange(len(totals))
        k = r.randint(1, max(1, quantities[i] - (1 if len(totals) == 1 else 0)))
        first = money.div_half_even((totals[i] + total_taxes[i]) * k, quantities[i])
        net = money.div_half_even(totals[i] * k, quantities[i])
        out = [
            {
                "_at": at,
                "_minor": first,
                "reason": REFUND_REASONS[r.randrange(len(REFUND_REASONS))],
                "_lines": [(i, k, net, first - net)],
                "_shipping": False,
            }
        ]
        later = at + DAY + int(r.expovariate(1 / 10) * DAY)
        if r.random() < 0.2 and later <= end:
            rest = total - first
            out.append(
                {
                    "_at": later,
                    "_minor": min(rest, max(1, rest // 3)),
                    "reason": "Goodwill",
                    "_lines": [],
                    "_shipping": False,
                }
            )
        return sorted(out, key=lambda x: -x["_at"])

    @staticmethod
    def _number_refunds(refund_id: int, refunds: list[dict], r: random.Random) -> tuple[int, list[dict]]:
        # ids grow with time, so number the oldest refund first
        for refund in reversed(refunds):
            refund_id += r.randint(1, 40)
            refund["id"] = refund_id
            refund["total"] = money.fmt(-refund["_minor"])
        return refund_id, refunds


def _refund_object(
    order_id: int, refund: dict, line_items: list[dict], shipping: tuple[int, int], gateway: bool
) -> dict:
    """A refund as `GET /orders/<id>/refunds` returns it, plus `parent_id` (its order) for the emulator.

    Amounts of refund lines are negative, quantities too, as WooCommerce stores them;
    `_refunded_item_id` names the order line it refunds. Line ids are derived from the
    refund id (the generator's item-id sequence belongs to the orders).
    """
    lines = []
    for j, (i, quantity, net, tax) in enumerate(refund["_lines"]):
        item = line_items[i]
        taxes = [
            {"id": t["id"], "total": money.fmt(-tax), "subtotal": money.fmt(-tax)} for t in item["taxes"]
        ]
        lines.append(
            {
                "id": refund["id"] * 100 + j + 1,
                "name": item["name"],
                "product_id": item["product_id"],
                "variation_id": item["variation_id"],
                "quantity": -quantity,
                "tax_class": "",
                "subtotal": money.fmt(-net),
                "subtotal_tax": money.fmt(-tax),
                "total": money.fmt(-net),
                "total_tax": money.fmt(-tax),
                "taxes": taxes,
                "meta_data": [
                    {
                        "id": refund["id"] * 100 + 50 + j,
                        "key": "_refunded_item_id",
                        "value": str(item["id"]),
                        "display_key": "_refunded_item_id",
                        "display_value": str(item["id"]),
                    }
                ],
                "sku": item["sku"],
                "price": -net / quantity / 100,
                "image": {"id": "", "src": ""},
                "parent_name": item["parent_name"],
            }
        )
    return {
        "id": refund["id"],
        "parent_id": order_id,
        **_dates(created=refund["_at"]),
        "amount": money.fmt(refund["_minor"]),
        "reason": refund["reason"],
        "refunded_by": 1,
        "refunded_payment": gateway,
        "meta_data": [],
        "line_items": lines,
        "shipping_lines": [
            {
                "id": refund["id"] * 100 + 99,
                "method_title": "Flat rate",
                "method_id": "flat_rate",
                "total": money.fmt(-shipping[0]),
                "total_tax": money.fmt(-shipping[1]),
                "meta_data": [],
            }
        ]
        if refund["_shipping"] and shipping[0]
        else [],
        "tax_lines": [],
        "fee_lines": [],
        "_links": {
            "self": [{"href": f"{SITE_URL}/wp-json/wc/v3/orders/{order_id}/refunds/{refund['id']}"}],
            "collection": [{"href": f"{SITE_URL}/wp-json/wc/v3/orders/{order_id}/refunds"}],
            "up": [{"href": f"{SITE_URL}/wp-json/wc/v3/orders/{order_id}"}],
        },
    }


def _weighted_payment(r: random.Random) -> tuple[str, str]:
    x = r.random()
    for method, title, weight in PAYMENT:
        x -= weight
        if x < 0:
            return method, title
    return PAYMENT[-1][0], PAYMENT[-1][1]
