"""Shopify REST Admin 2024-10: Product, Order and Customer objects as `GET …/{resource}.json` returns them.

The shop is in New York (timestamps carry -05:00/-04:00) and keeps its books in
USD; shoppers abroad pay in their presentment currency (CAD, GBP, EUR), so
every amount has a `*_set` with `shop_money` (USD) and `presentment_money`.
Refund transactions are in the presentment currency, as Shopify records them.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import numpy as np

from metric_pulse.sandbox.generate import catalog, money, people
from metric_pulse.sandbox.generate.output import iso_offset
from metric_pulse.sandbox.generate.population import DAY, Population

SHOP_TZ = ZoneInfo("America/New_York")
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


def _gid(kind: str, ident: int) -> str:
    return f"gid://shopify/{kind}/{ident}"


def _money_set(shop: int, presentment: int, presentment_currency: str) -> dict:
    return {
        "shop_money": {"amount": money.fmt(shop), "currency_code": SHOP_CURRENCY},
        "presentment_money": {"amount": money.fmt(presentment), "currency_code": presentment_currency},
    }


def _tax_for(address: dict) -> tuple[int, str]:
    if address["country"] == "US":
        return US_STATE_TAX.get(address["state"], (0, "Sales Tax"))
    return COUNTRY_TAX[address["country"]]


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


class ShopifyStore:
    platform = "shopify"
    # its shop in the population and the catalog (`population.Profile`)
    order_share = 0.45
    guest_share = 0.04
    home_country_mix = (0.70, 0.18, 0.05, 0.04, 0.02, 0.01)
    catalog_share = 0.88

    def __init__(self, population: Population, products: list[catalog.Product], seed: int):
        self.pop = population
        self.catalog = products
        self.r = random.Random(f"{seed}/shopify")
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
        self.customer_address: dict[int, dict] = {}

    # -- products -----------------------------------------------------------------------------
    def products(self) -> Iterator[dict]:
        for p in self.catalog:
            if self.platform not in p.on_platform:
                continue
            pid = self.product_id[p.index]
            created, updated = iso_offset(p.created_ts, SHOP_TZ), iso_offset(p.updated_ts, SHOP_TZ)
            variants = []
            for position, sku in enumerate(p.variant_skus(), start=1):
                vid = self.variant_id[(p.index, position - 1 if p.sizes else -1)]
                title = p.sizes[position - 1] if p.sizes else "Default Title"
                variants.append(
                    {
                        "id": vid,
                        "product_id": pid,
                        "title": title,
                        "price": money.fmt(p.usd_cents),
                        "position": position,
                        "inventory_policy": "deny",
                        "compare_at_price": None,
                        "option1": title,
                        "option2": None,
                        "option3": None,
                        "created_at": created,
                        "updated_at": updated,
                        "taxable": True,
                        "barcode": None,
                        "fulfillment_service": "manual",
                        "grams": p.grams,
                        "inventory_management": "shopify",
                        "requires_shipping": True,
                        "sku": sku,
                        "weight": round(p.grams / 1000, 3),
                        "weight_unit": "kg",
                        "inventory_item_id": vid + 2_000_000_000_000,
                        "inventory_quantity": (p.index * 37 + position * 11) % 250,
                        "old_inventory_quantity": (p.index * 37 + position * 11) % 250,
                        "admin_graphql_api_id": _gid("ProductVariant", vid),
                        "image_id": None,
                    }
                )
            yield {
                "id": pid,
                "title": p.title_en,
                "body_html": f"<p>{p.title_en} by {p.vendor}.</p>",
                "vendor": p.vendor,
                "product_type": p.product_type,
                "created_at": created,
                "handle": p.handle,
                "updated_at": updated,
                "published_at": None if p.status == "draft" else created,
                "template_suffix": None,
                "published_scope": "global",
                "tags": p.product_type.lower(),
                "status": p.status,
                "admin_graphql_api_id": _gid("Product", pid),
                "variants": variants,
                "options": [
                    {
                        "id": pid + 1_000_000_000_000,
                        "product_id": pid,
                        "name": "Size" if p.sizes else "Title",
                        "position": 1,
                        "values": list(p.sizes) if p.sizes else ["Default Title"],
                    }
                ],
                "images": [],
                "image": None,
            }

    # -- customers (shared by the order's embedded copy and customers.json) ----------------------------
    def _customer_core(self, account: int) -> dict:
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
        return {
            "id": cid,
            "email": pop.acc_email[account],
            "created_at": iso_offset(created, SHOP_TZ),
            "updated_at": iso_offset(updated, SHOP_TZ),
            "first_name": pop.first_name[person],
            "last_name": pop.last_name[person],
            "state": state,
            "note": None,
            "verified_email": state == "enabled",
            "multipass_identifier": None,
            "tax_exempt": False,
            "phone": None,
            "email_marketing_consent": {
                "state": "subscribed" if subscribed else "not_subscribed",
                "opt_in_level": "single_opt_in" if subscribed else None,
                "consent_updated_at": iso_offset(created, SHOP_TZ) if subscribed else None,
            },
            "sms_marketing_consent": None,
            "tags": ", ".join(tags),
            "currency": SHOP_CURRENCY,
            "tax_exemptions": [],
            "admin_graphql_api_id": _gid("Customer", cid),
        }

    def _address(self, account: int, *, customer: bool) -> dict:
        pop = self.pop
        person = int(pop.acc_person[account])
        a = pop.address[person]
        out = {
            "first_name": pop.first_name[person],
            "address1": people.street_line(a),
            "phone": a["phone"],
            "city": a["city"],
            "zip": a["postcode"],
            "province": a["state"] or None,
            "country": people.COUNTRY_NAMES[a["country"]],
            "last_name": pop.last_name[person],
            "address2": a["line2"],
            "company": None,
            "latitude": None,
            "longitude": None,
            "name": f"{pop.first_name[person]} {pop.last_name[person]}",
            "country_code": a["country"],
            "province_code": a["state"] or None,
        }
        if customer:
            cid = self.customer_id[account]
            out = {
                "id": cid + 3_000_000_000_000,
                "customer_id": cid,
                **out,
                "country_name": out["country"],
                "default": True,
            }
        return out

    def customers(self) -> Iterator[dict]:
        for account in self.customer_accounts.tolist():
            core = self._customer_core(account)
            last = self.last_order.get(account)
            address = self._address(account, customer=True)
            yield {
                "id": core["id"],
                "email": core["email"],
                "created_at": core["created_at"],
                "updated_at": core["updated_at"],
                "first_name": core["first_name"],
                "last_name": core["last_name"],
                "orders_count": self.orders_count.get(account, 0),
                "state": core["state"],
                "total_spent": money.fmt(self.total_spent.get(account, 0)),
                "last_order_id": last[0] if last else None,
                "note": None,
                "verified_email": core["verified_email"],
                "multipass_identifier": None,
                "tax_exempt": False,
                "tags": core["tags"],
                "last_order_name": last[1] if last else None,
                "currency": SHOP_CURRENCY,
                "phone": None,
                "addresses": [address],
                "tax_exemptions": [],
                "email_marketing_consent": core["email_marketing_consent"],
                "sms_marketing_consent": None,
                "admin_graphql_api_id": core["admin_graphql_api_id"],
                "default_address": address,
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
            refunded = {
                "pres": 0,
                "shop": 0,
                "subtotal_pres": 0,
                "subtotal_shop": 0,
                "tax_pres": 0,
                "tax_shop": 0,
                "discount_pres": 0,
                "discount_shop": 0,
            }
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

            line_items = []
            for i, (product, size, quantity) in enumerate(items):
                line_id = line_ids[i]
                variant_key = (product.index, size)
                variant_title = product.sizes[size] if size >= 0 else None
                line_items.append(
                    {
                        "id": line_id,
                        "admin_graphql_api_id": _gid("LineItem", line_id),
                        "current_quantity": quantity - refunded_qty[i],
                        "fulfillable_quantity": 0
                        if (fulfilled_at or cancelled_at)
                        else quantity - refunded_qty[i],
                        "fulfillment_service": "manual",
                        "fulfillment_status": "fulfilled" if fulfilled_at else None,
                        "gift_card": False,
                        "grams": product.grams,
                        "name": f"{product.title_en} - {variant_title}"
                        if variant_title
                        else product.title_en,
                        "price": money.fmt(shop_prices[i]),
                        "price_set": _money_set(shop_prices[i], pres_prices[i], presentment),
                        "product_exists": True,
                        "product_id": self.product_id[product.index],
                        "properties": [],
                        "quantity": quantity,
                        "requires_shipping": not guest,
                        "sku": product.variant_skus()[size] if size >= 0 else product.sku,
                        "taxable": True,
                        "title": product.title_en,
                        "total_discount": "0.00",
                        "total_discount_set": _money_set(0, 0, presentment),
                        "variant_id": self.variant_id[variant_key],
                        "variant_inventory_management": "shopify",
                        "variant_title": variant_title,
                        "vendor": product.vendor,
                        "tax_lines": [
                            {
                                "channel_liable": False,
                                "price": money.fmt(shop["line_taxes"][i]),
                                "price_set": _money_set(
                                    shop["line_taxes"][i], pres["line_taxes"][i], presentment
                                ),
                                "rate": rate_bp / 10_000,
                                "title": tax_title,
                            }
                        ]
                        if rate_bp
                        else [],
                        "discount_allocations": [
                            {
                                "amount": money.fmt(shop["line_discounts"][i]),
                                "amount_set": _money_set(
                                    shop["line_discounts"][i], pres["line_discounts"][i], presentment
                                ),
                                "discount_application_index": 0,
                            }
                        ]
                        if code
                        else [],
                        "duties": [],
                    }
                )

            customer_part = {}
            email = ""
            if not guest:
                customer = self._customer_core(account)
                customer["default_address"] = self._address(account, customer=True)
                customer_part = {"customer": customer}
                email = pop.acc_email[account]
                self.last_order[account] = (order_id, f"#{number}")
                self.orders_count[account] = self.orders_count.get(account, 0) + 1
                if not test and financial in ("paid", "partially_refunded", "refunded"):
                    self.total_spent[account] = (
                        self.total_spent.get(account, 0) + shop["total"] - refunded["shop"]
                    )

            def money_pair(key: str, minus: str | None = None) -> tuple[str, dict]:
                s = shop[key] - (refunded[minus + "_shop"] if minus else 0)
                p = pres[key] - (refunded[minus + "_pres"] if minus else 0)
                return money.fmt(s), _money_set(s, p, presentment)

            total_price, total_price_set = money_pair("total")
            subtotal, subtotal_set = money_pair("subtotal")
            total_tax, total_tax_set = money_pair("tax")
            discounts, discounts_set = money_pair("discounts")
            current_total = shop["total"] - refunded["shop"]
            current_total_set = _money_set(current_total, pres["total"] - refunded["pres"], presentment)
            cur_sub, cur_sub_set = money_pair("subtotal", "subtotal")
            cur_tax, cur_tax_set = money_pair("tax", "tax")
            cur_disc, cur_disc_set = money_pair("discounts", "discount")
            line_items_price, line_items_price_set = money_pair("line_items")
            outstanding = shop["total"] if financial in ("pending", "authorized") else 0
            address_obj = self._address(account, customer=False)
            created_s = iso_offset(ts, SHOP_TZ)
            token = r.getrandbits(128)
            yield {
                "id": order_id,
                "admin_graphql_api_id": _gid("Order", order_id),
                "app_id": 129785 if source == "pos" else 580111,
                "browser_ip": None,
                "buyer_accepts_marketing": bool(customer_part)
                and "newsletter" in customer_part["customer"]["tags"],
                "cancel_reason": cancel_reason,
                "cancelled_at": iso_offset(cancelled_at, SHOP_TZ) if cancelled_at else None,
                "cart_token": None,
                "checkout_id": order_id + 1_700_000_000_000 if not guest else None,
                "checkout_token": f"{token:032x}" if not guest else None,
                "closed_at": iso_offset(closed_at, SHOP_TZ) if closed_at else None,
                "confirmation_number": _confirmation(token),
                "confirmed": True,
                "contact_email": email or None,
                "created_at": created_s,
                "currency": SHOP_CURRENCY,
                "current_subtotal_price": cur_sub,
                "current_subtotal_price_set": cur_sub_set,
                "current_total_discounts": cur_disc,
                "current_total_discounts_set": cur_disc_set,
                "current_total_price": money.fmt(current_total),
                "current_total_price_set": current_total_set,
                "current_total_tax": cur_tax,
                "current_total_tax_set": cur_tax_set,
                "customer_locale": people.LOCALES[address["country"]],
                "discount_codes": [{"code": code[0], "amount": discounts, "type": "percentage"}]
                if code
                else [],
                "email": email,
                "estimated_taxes": False,
                "financial_status": financial,
                "fulfillment_status": "fulfilled" if fulfilled_at else None,
                "landing_site": None if guest else "/",
                "location_id": 71_234_567_890 if guest else None,
                "name": f"#{number}",
                "note": None,
                "note_attributes": [],
                "number": number - 1000,
                "order_number": number,
                "phone": None,
                "presentment_currency": presentment,
                "processed_at": created_s,
                "reference": None,
                "referring_site": None,
                "source_identifier": None,
                "source_name": source,
                "subtotal_price": subtotal,
                "subtotal_price_set": subtotal_set,
                "tags": "",
                "tax_lines": [
                    {
                        "price": total_tax,
                        "rate": rate_bp / 10_000,
                        "title": tax_title,
                        "price_set": total_tax_set,
                        "channel_liable": False,
                    }
                ]
                if rate_bp
                else [],
                "taxes_included": False,
                "test": test,
                "token": f"{token >> 1:032x}",
                "total_discounts": discounts,
                "total_discounts_set": discounts_set,
                "total_line_items_price": line_items_price,
                "total_line_items_price_set": line_items_price_set,
                "total_outstanding": money.fmt(outstanding),
                "total_price": total_price,
                "total_price_set": total_price_set,
                "total_shipping_price_set": _money_set(shop["shipping"], pres["shipping"], presentment),
                "total_tax": total_tax,
                "total_tax_set": total_tax_set,
                "total_tip_received": "0.00",
                "total_weight": sum(p.grams * q for p, _, q in items),
                "updated_at": iso_offset(updated, SHOP_TZ),
                "user_id": None,
                "billing_address": None if guest else address_obj,
                **customer_part,
                "discount_applications": [
                    {
                        "target_type": "line_item",
                        "type": "discount_code",
                        "value": f"{pct}.0",
                        "value_type": "percentage",
                        "allocation_method": "across",
                        "target_selection": "all",
                        "code": code[0],
                    }
                ]
                if code
                else [],
                "fulfillments": [],
                "line_items": line_items,
                "payment_gateway_names": [gateway],
                "refunds": refunds,
                "shipping_address": None if guest else address_obj,
                "shipping_lines": []
                if guest
                else [
                    {
                        "id": order_id + 200_000_000_000,
                        "carrier_identifier": None,
                        "code": "Free Shipping" if free else "Standard",
                        "discounted_price": money.fmt(shop["shipping"]),
                        "discounted_price_set": _money_set(shop["shipping"], pres["shipping"], presentment),
                        "phone": None,
                        "price": money.fmt(shop["shipping"]),
                        "price_set": _money_set(shop["shipping"], pres["shipping"], presentment),
                        "source": "shopify",
                        "title": "Free Shipping" if free else "Standard",
                        "tax_lines": [],
                        "discount_allocations": [],
                    }
                ],
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
        sums = {
            "pres": 0,
            "shop": 0,
            "subtotal_pres": 0,
            "subtotal_shop": 0,
            "tax_pres": 0,
            "tax_shop": 0,
            "discount_pres": 0,
            "discount_shop": 0,
        }
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
            refund_lines.append(
                {
                    "id": refund_id * 10 + 1 + len(refund_lines),
                    "line_item_id": line_ids[i],
                    "location_id": None,
                    "quantity": k,
                    "restock_type": "return" if r.random() < 0.7 else "no_restock",
                    "subtotal": money.fmt(share["shop"][0]),
                    "subtotal_set": _money_set(share["shop"][0], share["pres"][0], presentment),
                    "total_tax": money.fmt(share["shop"][1]),
                    "total_tax_set": _money_set(share["shop"][1], share["pres"][1], presentment),
                }
            )
        adjustments = []
        if with_shipping and shop["shipping"]:
            adjustments.append(
                {
                    "id": refund_id * 10 + 9,
                    "order_id": order_id,
                    "refund_id": refund_id,
                    "amount": money.fmt(-shop["shipping"]),
                    "tax_amount": money.fmt(-shop["shipping_tax"]),
                    "kind": "shipping_refund",
                    "reason": "Shipping refund",
                    "amount_set": _money_set(-shop["shipping"], -pres["shipping"], presentment),
                    "tax_amount_set": _money_set(-shop["shipping_tax"], -pres["shipping_tax"], presentment),
                }
            )
            for cur, amounts in (("pres", pres), ("shop", shop)):
                sums[cur] += amounts["shipping"] + amounts["shipping_tax"]
                sums[f"tax_{cur}"] += amounts["shipping_tax"]
        created = iso_offset(when, SHOP_TZ)
        refund = {
            "id": refund_id,
            "admin_graphql_api_id": _gid("Refund", refund_id),
            "created_at": created,
            "note": ("Customer returned item", "Damaged in transit", "Wrong size", None)[r.randrange(4)],
            "order_id": order_id,
            "processed_at": created,
            "restock": any(line["restock_type"] == "return" for line in refund_lines),
            "total_duties_set": {
                "shop_money": {"amount": "0.00", "currency_code": SHOP_CURRENCY},
                "presentment_money": {"amount": "0.00", "currency_code": presentment},
            },
            "user_id": None,
            "order_adjustments": adjustments,
            "refund_line_items": refund_lines,
            "transactions": [
                {
                    "id": transaction_id,
                    "admin_graphql_api_id": _gid("OrderTransaction", transaction_id),
                    "amount": money.fmt(sums["pres"]),
                    "authorization": None,
                    "created_at": created,
                    "currency": presentment,
                    "device_id": None,
                    "error_code": None,
                    "gateway": gateway,
                    "kind": "refund",
                    "location_id": None,
                    "message": "Refund processed",
                    "order_id": order_id,
                    "parent_id": transaction_id - 1,
                    "processed_at": created,
                    "receipt": {},
                    "source_name": "web",
                    "status": "success",
                    "test": test,
                    "user_id": None,
                }
            ],
            "duties": [],
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
