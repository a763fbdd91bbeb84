{#-
    Data quality (a warning, never a failure: docs/analytics.md): an order's lines
    (line_total, after discounts) add up to the order's subtotal (merchandise after
    discounts, before shipping and tax, as the platform reports or implies it), within
    rounding: one cent per line. Both numbers are the store's own (a Shopify
    subtotal_price that ignores its discount allocations breaks it), so the orders that
    disagree are kept in data_quality.order_items_not_summing_to_subtotal.
    Orders without lines or without a subtotal have nothing to check. Checks the
    recently loaded orders, as the generic tests do (macros/test_window.sql).
-#}
with

orders as (

    select * from {{ ref('orders') }}
    where {{ recent_loads(ref('orders')) }}

),

order_items as (

    select * from {{ ref('order_items') }}
    where order_key in (select orders.order_key from orders)

),

item_sums as (

    select
        order_key,
        count(*) as lines,
        sum(line_total) as lines_total

    from order_items
    group by order_key

),

final as (

    select
        orders.order_key,
        orders.subtotal,
        item_sums.lines_total,
        item_sums.lines

    from orders
    inner join item_sums
        on item_sums.order_key = orders.order_key
    where orders.subtotal is not null
        and abs(orders.subtotal - coalesce(item_sums.lines_total, 0)) > 0.01 * item_sums.lines

)

select * from final
