{{ config(indexes=[{'columns': ['order_key']}, {'columns': ['loaded_at']}]) }}
{#-
    Order items with their order's context (customer, date, flags) and converted at the
    order's rate. Incremental: all lines of the changed orders are replaced.
-#}

with

orders as (

    select * from {{ ref('int_orders_enriched') }} as orders
    where {{ incremental_slice(replace_rows=true) }}

),

order_items as (

    select * from {{ ref('int_order_items_unioned') }}
    where order_key in (select orders.order_key from orders)

),

final as (

    select
        order_items.order_item_key,
        order_items.order_key,
        {{ platform_key('orders.platform', 'orders.store', 'order_items.product_id') }} as product_key,
        orders.platform,
        orders.store,
        orders.order_id,
        order_items.order_item_id,
        orders.customer_key,
        orders.customer_id,
        orders.ordered_at,
        orders.source,
        orders.status,
        orders.is_test,
        orders.is_cancelled,
        order_items.product_id,
        order_items.variant_id,
        order_items.sku,
        order_items.line_name as item_name,
        order_items.quantity,
        orders.currency,
        order_items.unit_price,
        order_items.line_subtotal,
        order_items.discount_amount,
        order_items.line_total,
        orders.reporting_currency,
        orders.exchange_rate,
        orders.is_currency_unknown,
        {{ to_reporting('order_items.line_total', 'orders.exchange_rate') }} as line_total_reporting,
        orders.loaded_at

    from order_items
    inner join orders
        on orders.order_key = order_items.order_key

)

select * from final
