"""commercetools HTTP API: Product, Order and Customer resources as `GET /{projectKey}/{resource}` returns them.

A multi-store project: EUR (Germany, France), GBP, USD, CAD and JPY (fractionDigits 0).
Money is CentPrecisionMoney; names and slugs are localized (`en`, `de`); timestamps
are UTC with milliseconds.

commercetools orders carry no refund object and `PaymentState` has no "Refunded".
Refunds are where a real project keeps them: a `Refund` transaction (amount,
timestamp, state `Success`) on the order's Payment, plus a `returnInfo` entry
for returned line items. Payments appear expanded (`paymentInfo.payments[].obj`),
as a client sees them with `expand=paymentInfo.payments[*]`.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator

import numpy as np

from metric_pulse.sandbox.generate import catalog, money, people
from metric_pulse.sandbox.generate.output import iso_ms_z
from metric_pulse.sandbox.generate.population import DAY, Population

# country -> (currency, tax basis points, tax included in price, tax name, store key, shipping, free above)
MARKETS = {
    "DE": ("EUR", 1900, True, "19% MwSt.", "eu-store", 490, 5000),
    "FR": ("EUR", 2000, True, "TVA 20%", "eu-store", 490, 5000),
    "GB": ("GBP", 2000, True, "VAT 20%", "uk-store", 395, 4000),
    "US": ("USD", 700, False, "Sales Tax 7%", "us-store", 795, 7500),
    "CA": ("CAD", 1300, False, "HST 13%", "ca-store", 995, 10000),
    "JP": ("JPY", 1000, True, "消費税 10%", "jp-store", 600, 5000),
}
PRICE_COUNTRIES = (("EUR", None), ("GBP", "GB"), ("USD", "US"), ("CAD", "CA"), ("JPY", "JP"))
CLIENT_ID = "sandbox-storefront"
BACKOFFICE_CLIENT_ID = "sandbox-merchant-center"
PAYMENT_METHODS = (
    ("CREDIT_CARD", "Credit card", 0.7),
    ("PAYPAL", "PayPal", 0.22),
    ("INVOICE", "Invoice", 0.08),
)
CANCEL_SHARE = 0.04
REFUND_SHARE = 0.08
LATE_EDIT_SHARE = 0.1


def _fixed_uuid(label: str) -> str:
    """A stable id for configuration resources (product types, tax categories, states)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"https://sandbox.metric-pulse.invalid/{label}"))


PRODUCT_TYPE_IDS = {t: _fixed_uuid(f"product-type/{t}") for t in catalog.PRODUCT_TYPES}
CATEGORY_IDS = {t: _fixed_uuid(f"category/{t}") for t in catalog.PRODUCT_TYPES}
TAX_CATEGORY_ID = _fixed_uuid("tax-category/standard")
TAX_RATE_IDS = {c: _fixed_uuid(f"tax-rate/{c}") for c in MARKETS}
SHIPPING_METHOD_ID = _fixed_uuid("shipping-method/standard")
INITIAL_STATE_ID = _fixed_uuid("state/Initial")


def _slug(text: str) -> str:
    return "-".join(people.ascii_fold(word) for word in text.replace("-", " ").split())


class CommercetoolsStore:
    platform = "commercetools"
    # its shop in the population and the catalog (`population.Profile`)
    order_share = 0.25
    guest_share = 0.12
    home_country_mix = (0.15, 0.05, 0.15, 0.40, 0.10, 0.15)
    catalog_share = 0.85

    def __init__(self, population: Population, products: list[catalog.Product], seed: int):
        self.pop = population
        self.catalog = products
        self.r = random.Random(f"{seed}/commercetools")
        self.picker = catalog.Picker(products, self.platform)
        self.product_uuid: dict[int, str] = {}
        self.price_ids: dict[tuple[int, int, str], str] = {}  # (product, variant id, currency) -> price id
        for p in products:
            if self.platform in p.on_platform:
                self.product_uuid[p.index] = self._uuid()
                for variant in range(1, max(1, len(p.sizes)) + 1):
                    for currency, _ in PRICE_COUNTRIES:
                        self.price_ids[(p.index, variant, currency)] = self._uuid()
        accounts = population.accounts_of(self.platform)
        registered = accounts[~population.acc_guest[accounts]]
        registered = registered[np.lexsort((registered, population.acc_created_ts[registered]))]
        self.customer_accounts = registered
        self.customer_uuid = {account: self._uuid() for account in registered.tolist()}
        self.address_key = {account: self._key() for account in registered.tolist()}
        self.anonymous_id = {
            account: self._uuid() for account in accounts[population.acc_guest[accounts]].tolist()
        }

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def _key(self) -> str:
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
        return "".join(alphabet[self.r.randrange(64)] for _ in range(8))

    @staticmethod
    def _ts(ts: int) -> str:
        """Milliseconds derived from the second, so events keep their order and never draw randomness."""
        return iso_ms_z(ts, ts * 7919 % 1000)

    # -- products --------------------------------------------------------------------------------
    def _variant(self, p: catalog.Product, variant_id: int) -> dict:
        sku = p.variant_skus()[variant_id - 1]
        prices = []
        for currency, country in PRICE_COUNTRIES:
            price = {
                "id": self.price_ids[(p.index, variant_id, currency)],
                "value": money.cent_precision(money.list_price(p.usd_cents, currency), currency),
            }
            if country:
                price["country"] = country
            prices.append(price)
        attributes = (
            [{"name": "size", "value": {"key": p.sizes[variant_id - 1], "label": p.sizes[variant_id - 1]}}]
            if p.sizes
            else []
        )
        return {
            "id": variant_id,
            "sku": sku,
            "key": sku.lower(),
            "prices": prices,
            "images": [],
            "attributes": attributes,
            "assets": [],
        }

    def products(self) -> Iterator[dict]:
        for p in self.catalog:
            if self.platform not in p.on_platform:
                continue
            variants = [self._variant(p, v) for v in range(1, max(1, len(p.sizes)) + 1)]
            data = {
                "name": {"en": p.title_en, "de": p.title_de},
                "categories": [{"typeId": "category", "id": CATEGORY_IDS[p.product_type]}],
                "categoryOrderHints": {},
                "description": {"en": f"{p.title_en} by {p.vendor}.", "de": f"{p.title_de} von {p.vendor}."},
                "slug": {"en": p.handle, "de": _slug(p.title_de)},
                "masterVariant": variants[0],
                "variants": variants[1:],
                "searchKeywords": {},
            }
            published = p.status == "active"
            version = 2 + (p.updated_ts > p.created_ts + 3600) * 3
            yield {
                "id": self.product_uuid[p.index],
                "version": version,
                "versionModifiedAt": self._ts(p.updated_ts),
                "lastMessageSequenceNumber": version - 1,
                "createdAt": self._ts(p.created_ts),
                "lastModifiedAt": self._ts(p.updated_ts),
                "lastModifiedBy": {"clientId": BACKOFFICE_CLIENT_ID, "isPlatformClient": False},
                "createdBy": {"clientId": BACKOFFICE_CLIENT_ID, "isPlatformClient": False},
                "productType": {"typeId": "product-type", "id": PRODUCT_TYPE_IDS[p.product_type]},
                "masterData": {
                    "current": data,
                    "staged": data,
                    "published": published,
                    "hasStagedChanges": False,
                },
                "key": p.handle,
                "taxCategory": {"typeId": "tax-category", "id": TAX_CATEGORY_ID},
                "priceMode": "Embedded",
            }

    # -- customers -------------------------------------------------------------------------------
    def _address(self, account: int, *, key: str | None = None) -> dict:
        pop = self.pop
        person = int(pop.acc_person[account])
        a = pop.address[person]
        out = {"id": key} if key else {}
        out.update(
            {
                "firstName": pop.first_name[person],
                "lastName": pop.last_name[person],
                "streetName": a["street"],
                "streetNumber": a["number"],
                "postalCode": a["postcode"],
                "city": a["city"],
                "country": a["country"],
            }
        )
        if a["state"]:
            out["state"] = a["state"]
        if a["line2"]:
            out["additionalAddressInfo"] = a["line2"]
        out["phone"] = a["phone"]
        out["email"] = pop.acc_email[account]
        return out

    def customers(self) -> Iterator[dict]:
        pop = self.pop
        for number, account in enumerate(self.customer_accounts.tolist(), start=1):
            person = int(pop.acc_person[account])
            created = int(pop.acc_created_ts[account])
            edit = int(pop.acc_edit_ts[account])
            version = 3 + (2 if edit > 0 else 0)
            modified = max(created + 2, edit)
            key = self.address_key[account]
            store = MARKETS[pop.country[person]][4]
            yield {
                "id": self.customer_uuid[account],
                "version": version,
                "versionModifiedAt": self._ts(modified),
                "lastMessageSequenceNumber": version - 1,
                "createdAt": self._ts(created),
                "lastModifiedAt": self._ts(modified),
                "lastModifiedBy": {"clientId": CLIENT_ID, "isPlatformClient": False},
                "createdBy": {"clientId": CLIENT_ID, "isPlatformClient": False},
                "customerNumber": f"C{100000 + number}",
                "email": pop.acc_email[account],
                "firstName": pop.first_name[person],
                "lastName": pop.last_name[person],
                "addresses": [self._address(account, key=key)],
                "defaultShippingAddressId": key,
                "defaultBillingAddressId": key,
                "shippingAddressIds": [key],
                "billingAddressIds": [key],
                "isEmailVerified": float(pop.acc_draw[account]) < 0.8,
                "customerGroupAssignments": [],
                "stores": [{"typeId": "store", "key": store}],
                "locale": people.LOCALES[pop.country[person]],
                "authenticationMode": "Password",
            }

    # -- orders ----------------------------------------------------------------------------------
    def orders(self) -> Iterator[dict]:
        r = self.r
        pop = self.pop
        end = pop.end_ts - 1
        timestamps, accounts = pop.orders[self.platform]
        for seq, (ts, account) in enumerate(zip(timestamps.tolist(), accounts.tolist(), strict=True)):
            person = int(pop.acc_person[account])
            guest = bool(pop.acc_guest[account])
            country = pop.country[person]
            currency, rate_bp, included, tax_name, store, ship_flat, free_above = MARKETS[country]
            digits = money.DIGITS[currency]
            tax_rate = {
                "name": tax_name,
                "amount": rate_bp / 10_000,
                "includedInPrice": included,
                "country": country,
                "id": TAX_RATE_IDS[country],
                "subRates": [],
            }

            def cp(minor: int) -> dict:
                return {
                    "type": "centPrecision",
                    "currencyCode": currency,
                    "centAmount": minor,
                    "fractionDigits": digits,
                }

            def taxed(amount: int) -> tuple[int, int, int]:
                if included:
                    tax = money.tax_within(amount, rate_bp)
                    return amount - tax, amount, tax
                tax = money.tax_on(amount, rate_bp)
                return amount, amount + tax, tax

            items = catalog.basket(self.picker, r, float(pop.spend_usd[person]), ts)
            created_s = self._ts(ts)
            line_items, nets, grosses, taxes = [], 0, 0, 0
            line_gross = []
            for product, size, quantity in items:
                variant_id = size + 1 if size >= 0 else 1
                unit = money.list_price(product.usd_cents, currency)
                total = unit * quantity
                net, gross, tax = taxed(total)
                nets, grosses, taxes = nets + net, grosses + gross, taxes + tax
                line_gross.append(gross)
                variant = self._variant(product, variant_id)
                line_items.append(
                    {
                        "id": self._uuid(),
                        "productId": self.product_uuid[product.index],
                        "productKey": product.handle,
                        "name": {"en": product.title_en, "de": product.title_de},
                        "productType": {
                            "typeId": "product-type",
                            "id": PRODUCT_TYPE_IDS[product.product_type],
                            "version": 3,
                        },
                        "productSlug": {"en": product.handle, "de": _slug(product.title_de)},
                        "variant": variant,
                        "price": {
                            "id": self.price_ids[(product.index, variant_id, currency)],
                            "value": cp(unit),
                            **({"country": country} if currency != "EUR" else {}),
                        },
                        "quantity": quantity,
                        "discountedPricePerQuantity": [],
                        "perMethodTaxRate": [],
                        "addedAt": self._ts(ts - r.randint(30, 3600)),
                        "lastModifiedAt": created_s,
                        "state": [
                            {"quantity": quantity, "state": {"typeId": "state", "id": INITIAL_STATE_ID}}
                        ],
                        "priceMode": "Platform",
                        "lineItemMode": "Standard",
                        "priceRoundingMode": "HalfEven",
                        "totalPrice": cp(total),
                        "taxedPrice": {"totalNet": cp(net), "totalGross": cp(gross), "totalTax": cp(tax)},
                        "taxedPricePortions": [],
                        "taxRate": tax_rate,
                    }
                )
            lines_total = sum(li["totalPrice"]["centAmount"] for li in line_items)
            shipping = 0 if lines_total >= free_above else ship_flat
            ship_net, ship_gross, ship_tax = taxed(shipping)
            nets, grosses, taxes = nets + ship_net, grosses + ship_gross, taxes + ship_tax
            total_price = lines_total + shipping
            method, method_name = _weighted(r, PAYMENT_METHODS)
            origin = "Merchant" if r.random() < 0.06 else "Customer"

            # -- lifecycle ------------------------------------------------------------------------
            changes = []  # timestamps of updates (each bumps the version)
            transactions = []
            deliveries = []
            return_info = []
            payment_state = "Pending"
            order_state = "Open"
            shipment_state = "Pending"
            draw = r.random()
            auth_at = min(end, ts + r.randint(1, 30))
            if draw < CANCEL_SHARE:
                cancel_at = min(end, ts + r.randint(600, 2 * DAY))
                declined = r.random() < 0.5
                transactions.append(
                    self._transaction(
                        auth_at, "Authorization", cp(grosses), "Failure" if declined else "Success"
                    )
                )
                if not declined:
                    transactions.append(
                        self._transaction(cancel_at, "CancelAuthorization", cp(grosses), "Success")
                    )
                payment_state = "Failed" if declined else "Pending"
                order_state = "Cancelled"
                shipment_state = None
                changes += [auth_at, cancel_at]
            else:
                paid_at = auth_at if method != "INVOICE" else ts + r.randint(DAY, 6 * DAY)
                if method != "INVOICE":
                    transactions.append(self._transaction(auth_at, "Authorization", cp(grosses), "Success"))
                if paid_at > end:
                    transactions.append(self._transaction(min(end, ts + 5), "Charge", cp(grosses), "Pending"))
                    changes.append(min(end, ts + 5))
                else:
                    transactions.append(self._transaction(paid_at, "Charge", cp(grosses), "Success"))
                    payment_state = "Paid"
                    confirm_at = paid_at + r.randint(300, 3600)
                    ship_at = confirm_at + 4 * 3600 + int(r.expovariate(1 / 1.5) * DAY)
                    deliver_at = ship_at + r.randint(DAY, 4 * DAY)
                    changes.append(paid_at)
                    if confirm_at <= end:
                        order_state = "Confirmed"
                        changes.append(confirm_at)
                    if ship_at <= end:
                        shipment_state = "Shipped"
                        deliveries.append(
                            {
                                "id": self._uuid(),
                                "createdAt": self._ts(ship_at),
                                "items": [{"id": li["id"], "quantity": li["quantity"]} for li in line_items],
                                "parcels": [],
                            }
                        )
                        changes += [ship_at, ship_at + 1]
                    if deliver_at <= end:
                        shipment_state = "Delivered"
                        order_state = "Complete"
                        changes += [deliver_at, deliver_at + 1]
                    if ship_at <= end and r.random() < REFUND_SHARE:
                        refund_at = ship_at + 2 * DAY + int(r.expovariate(1 / 8) * DAY)
                        if refund_at <= end:
                            amount, returned = self._refund_plan(r, items, line_gross, grosses)
                            return_items = []
                            for i, qty in returned:
                                return_items.append(
                                    {
                                        "type": "LineItemReturnItem",
                                        "id": self._uuid(),
                                        "quantity": qty,
                                        "lineItemId": line_items[i]["id"],
                                        "shipmentState": "BackInStock",
                                        "paymentState": "Refunded",
                                        "lastModifiedAt": self._ts(refund_at),
                                        "createdAt": self._ts(refund_at - 3600),
                                    }
                                )
                            if return_items:
                                return_info.append(
                                    {"items": return_items, "returnDate": self._ts(refund_at - 3600)}
                                )
                            transactions.append(self._transaction(refund_at, "Refund", cp(amount), "Success"))
                            changes += [refund_at - DAY // 2, refund_at]
            if r.random() < LATE_EDIT_SHARE:
                edit = ts + 3600 + int(r.expovariate(1 / 15) * DAY)
                if edit <= end:
                    changes.append(edit)
            changes = sorted(c for c in changes if c <= end)
            last = max([ts] + changes)
            last_s = self._ts(last)
            version = 1 + len(changes)

            payment_id = self._uuid()
            customer_ref = (
                {"customerId": self.customer_uuid[account]}
                if not guest
                else {"anonymousId": self.anonymous_id[account]}
            )
            payment_customer = (
                {"customer": {"typeId": "customer", "id": self.customer_uuid[account]}}
                if not guest
                else {"anonymousId": self.anonymous_id[account]}
            )
            payment_last = max(t.pop("_ts") for t in transactions)
            address = self._address(account)
            order = {
                "type": "Order",
                "id": self._uuid(),
                "version": version,
                "versionModifiedAt": last_s,
                "lastMessageSequenceNumber": version,
                "createdAt": created_s,
                "lastModifiedAt": last_s,
                "lastModifiedBy": {
                    "clientId": BACKOFFICE_CLIENT_ID if changes else CLIENT_ID,
                    "isPlatformClient": False,
                },
                "createdBy": {
                    "clientId": CLIENT_ID,
                    "isPlatformClient": False,
                    **(
                        {"customer": {"typeId": "customer", "id": self.customer_uuid[account]}}
                        if not guest
                        else {"anonymousId": self.anonymous_id[account]}
                    ),
                },
                "orderNumber": str(100_001 + seq),
                **customer_ref,
                "customerEmail": pop.acc_email[account],
                "store": {"typeId": "store", "key": store},
                "totalPrice": cp(total_price),
                "taxedPrice": {
                    "totalNet": cp(nets),
                    "totalGross": cp(grosses),
                    "taxPortions": [{"rate": rate_bp / 10_000, "amount": cp(taxes), "name": tax_name}],
                    "totalTax": cp(taxes),
                },
                "taxedShippingPrice": {
                    "totalNet": cp(ship_net),
                    "totalGross": cp(ship_gross),
                    "totalTax": cp(ship_tax),
                },
                "country": country,
                "orderState": order_state,
                **({"shipmentState": shipment_state} if shipment_state else {}),
                "paymentState": payment_state,
                "shippingInfo": {
                    "shippingMethodName": "Standard",
                    "price": cp(shipping),
                    "shippingRate": {"price": cp(ship_flat), "freeAbove": cp(free_above), "tiers": []},
                    "taxRate": tax_rate,
                    "taxCategory": {"typeId": "tax-category", "id": TAX_CATEGORY_ID},
                    "shippingMethod": {"typeId": "shipping-method", "id": SHIPPING_METHOD_ID},
                    "taxedPrice": {
                        "totalNet": cp(ship_net),
                        "totalGross": cp(ship_gross),
                        "totalTax": cp(ship_tax),
                    },
                    "deliveries": deliveries,
                    "shippingMethodState": "MatchesCart",
                },
                "taxMode": "Platform",
                "inventoryMode": "None",
                "taxRoundingMode": "HalfEven",
                "taxCalculationMode": "LineItemLevel",
                "origin": origin,
                "shippingMode": "Single",
                "shippingAddress": address,
                "billingAddress": address,
                "lineItems": line_items,
                "customLineItems": [],
                "discountCodes": [],
                "directDiscounts": [],
                "cart": {"typeId": "cart", "id": self._uuid()},
                "paymentInfo": {
                    "payments": [
                        {
                            "typeId": "payment",
                            "id": payment_id,
                            "obj": {
                                "id": payment_id,
                                "version": 1 + len(transactions),
                                "createdAt": self._ts(ts + 1),
                                "lastModifiedAt": self._ts(payment_last),
                                **payment_customer,
                                "amountPlanned": cp(grosses),
                                "paymentMethodInfo": {
                                    "paymentInterface": "sandbox-psp",
                                    "method": method,
                                    "name": {"en": method_name},
                                },
                                "paymentStatus": {},
                                "transactions": transactions,
                                "interfaceInteractions": [],
                            },
                        }
                    ]
                },
                "locale": people.LOCALES[country],
                "returnInfo": return_info,
                "syncInfo": [],
                "refusedGifts": [],
                "itemShippingAddresses": [],
                "shipping": [],
            }
            yield order

    def _transaction(self, ts: int, kind: str, amount: dict, state: str) -> dict:
        return {
            "id": self._uuid(),
            "timestamp": self._ts(ts),
            "type": kind,
            "amount": amount,
            "interactionId": f"psp_{self.r.getrandbits(48):012x}",
            "state": state,
            "_ts": ts,
        }

    @staticmethod
    def _refund_plan(
        r: random.Random, items: list, line_gross: list[int], gross_total: int
    ) -> tuple[int, list[tuple[int, int]]]:
        """(refund amount, [(line index, quantity returned)]): everything, or part of one line."""
        quantities = [q for _, _, q in items]
        if r.random() < 0.55 or (len(items) == 1 and quantities[0] == 1):
            return gross_total, list(enumerate(quantities))
        i = r.randrange(len(items))
        k = r.randint(1, max(1, quantities[i] - (1 if len(items) == 1 else 0)))
        return money.div_half_even(line_gross[i] * k, quantities[i]), [(i, k)]


def _weighted(r: random.Random, options: tuple[tuple[str, str, float], ...]) -> tuple[str, str]:
    x = r.random()
    for value, name, weight in options:
        x -= weight
        if x < 0:
            return value, name
    return options[-1][0], options[-1][1]
