"""The GraphQL Admin API documents we send: what we read of an order, a customer, a product.

One home for the field selections (GraphQL Admin API 2026-10; names checked against
shopify.dev): the paginated listings and the follow-up queries here, and the bulk
operations (loaders/shopify/bulk.py) build their documents from the same `Node` trees,
so both paths read the same fields and produce the same rows.

A `Node` is one object type's selection: its plain fields (scalars and single objects,
GraphQL text), its connections (paged lists: `lineItems`, `variants`...) and its list
fields whose items hold connections of their own (`Order.refunds` is a plain list of
refunds, each with `refundLineItems`, `transactions`... connections). Every node with
connections selects its `id`, so a connection cut off at its page size is read to the
end with `node(id:)` (`follow_query`).

Nested page sizes are small on purpose: Shopify prices a query before running it
(2 + first x the cost of one node, per connection) and refuses one over 1 000 points,
so `lineItems(first: 250)` inside `orders(first: 250)` could never run. Each size is
what most records fit in (a few lines, one shipping line, a refund or two with a
transaction each), keeping an order near 300 points so a page holds a few orders; the
rare longer connection is followed to the end by `follow_query`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

MONEY_BAG = "{ shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }"
TAX_LINES = f"taxLines {{ title rate priceSet {MONEY_BAG} channelLiable }}"
PAGE_INFO = "pageInfo { hasNextPage endCursor }"


@dataclass(frozen=True)
class Connection:
    """A paged list field: `field(first: page)`, its items selected by `node`."""

    field: str
    node: Node
    page: int


@dataclass(frozen=True)
class Node:
    """One GraphQL object type's selection (see the module docstring)."""

    type: str
    fields: str
    connections: tuple[Connection, ...] = ()
    lists: tuple[tuple[str, Node], ...] = field(default=())


def render(node: Node) -> str:
    """The selection of one `node`, connections paged (`first:` + pageInfo + nodes)."""
    parts = [node.fields]
    parts += [
        f"{c.field}(first: {c.page}) {{ {PAGE_INFO} nodes {{ {render(c.node)} }} }}" for c in node.connections
    ]
    parts += [f"{name} {{ {render(child)} }}" for name, child in node.lists]
    return " ".join(parts)


LINE_ITEM = Node(
    "LineItem",
    "id name title sku quantity vendor variantTitle taxable isGiftCard "
    "variant { id legacyResourceId } product { id legacyResourceId } "
    f"originalUnitPriceSet {MONEY_BAG} totalDiscountSet {MONEY_BAG} {TAX_LINES} "
    f"discountAllocations {{ allocatedAmountSet {MONEY_BAG} discountApplication {{ index }} }}",
)
SHIPPING_LINE = Node(
    "ShippingLine",
    f"id title code source originalPriceSet {MONEY_BAG} discountedPriceSet {MONEY_BAG}",
)
DISCOUNT_APPLICATION = Node(
    "DiscountApplication",
    "__typename index allocationMethod targetSelection targetType "
    "value { __typename ... on MoneyV2 { amount currencyCode } ... on PricingPercentageValue { percentage } } "
    "... on DiscountCodeApplication { code } ... on ManualDiscountApplication { title } "
    "... on AutomaticDiscountApplication { title } ... on ScriptDiscountApplication { title }",
)
REFUND = Node(
    "Refund",
    f"id legacyResourceId createdAt updatedAt note totalRefundedSet {MONEY_BAG}",
    connections=(
        Connection(
            "refundLineItems",
            Node(
                "RefundLineItem",
                f"id quantity restockType lineItem {{ id }} subtotalSet {MONEY_BAG} totalTaxSet {MONEY_BAG}",
            ),
            5,
        ),
        Connection(
            "transactions",
            Node(
                "OrderTransaction",
                f"id kind status gateway processedAt createdAt amountSet {MONEY_BAG}",
            ),
            2,
        ),
        Connection(
            "orderAdjustments",
            Node("OrderAdjustment", f"id reason amountSet {MONEY_BAG} taxAmountSet {MONEY_BAG}"),
            2,
        ),
        Connection(
            "refundShippingLines",
            Node("RefundShippingLine", f"id subtotalAmountSet {MONEY_BAG} taxAmountSet {MONEY_BAG}"),
            2,
        ),
    ),
)
ORDER = Node(
    "Order",
    "id legacyResourceId name email note createdAt updatedAt processedAt cancelledAt cancelReason closedAt "
    "displayFinancialStatus displayFulfillmentStatus test sourceName currencyCode presentmentCurrencyCode "
    "paymentGatewayNames discountCodes tags customer { id legacyResourceId } "
    "billingAddress { countryCodeV2 provinceCode } "
    f"totalPriceSet {MONEY_BAG} subtotalPriceSet {MONEY_BAG} totalTaxSet {MONEY_BAG} "
    f"totalDiscountsSet {MONEY_BAG} totalShippingPriceSet {MONEY_BAG} {TAX_LINES}",
    connections=(
        Connection("lineItems", LINE_ITEM, 10),
        Connection("shippingLines", SHIPPING_LINE, 2),
        Connection("discountApplications", DISCOUNT_APPLICATION, 3),
    ),
    lists=(("refunds", REFUND),),
)
ADDRESS = "id countryCodeV2 provinceCode city zip"
CUSTOMER = Node(
    "Customer",
    "id legacyResourceId createdAt updatedAt firstName lastName displayName state tags verifiedEmail "
    "taxExempt numberOfOrders amountSpent { amount currencyCode } defaultEmailAddress { emailAddress } "
    f"defaultPhoneNumber {{ phoneNumber }} defaultAddress {{ {ADDRESS} }}",
    connections=(Connection("addressesV2", Node("MailingAddress", ADDRESS), 5),),
)
PRODUCT = Node(
    "Product",
    "id legacyResourceId title handle vendor productType status tags createdAt updatedAt publishedAt "
    "options { id name position optionValues { id name } }",
    connections=(
        Connection(
            "variants",
            Node(
                "ProductVariant",
                "id legacyResourceId title sku price compareAtPrice position inventoryQuantity "
                "createdAt updatedAt selectedOptions { name value }",
            ),
            25,
        ),
    ),
)

NODES: Mapping[str, Node] = {"customers": CUSTOMER, "products": PRODUCT, "orders": ORDER}
"""Resource (the top-level connection and raw table) -> the selection of one of its nodes."""
NODE_FIELDS: Mapping[str, str] = {name: render(node) for name, node in NODES.items()}
"""The selection text of one node of each resource (paged connections), for documents built elsewhere."""


def listing_query(resource: str) -> str:
    """One page of `resource` changed at or after the `query` filter's time, oldest change first."""
    return (
        f"query Listing($first: Int!, $after: String, $query: String) {{ "
        f"{resource}(first: $first, after: $after, sortKey: UPDATED_AT, query: $query) {{ "
        f"{PAGE_INFO} nodes {{ {NODE_FIELDS[resource]} }} }} }}"
    )


def follow_query(parent: Node, connection: Connection) -> str:
    """The next page of one object's `connection`, after the cursor where its first page ended."""
    return (
        f"query Follow($id: ID!, $first: Int!, $after: String) {{ node(id: $id) {{ ... on {parent.type} {{ "
        f"{connection.field}(first: $first, after: $after) {{ {PAGE_INFO} nodes {{ {render(connection.node)} }} }} "
        f"}} }} }}"
    )


def updated_since(moment: datetime) -> str:
    """Shopify's search syntax for "changed at or after `moment`", floored to the second (UTC)."""
    return f"updated_at:>='{moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}'"


STORE_QUERY = "query Store { shop { myshopifyDomain } }"
SCOPES_QUERY = "query Scopes { currentAppInstallation { accessScopes { handle } } }"
