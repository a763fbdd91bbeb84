{{ config(indexes=[{'columns': ['order_key']}, {'columns': ['loaded_at']}]) }}
{#-
    One row per order (test orders never appear). Incremental: a run deletes the
    orders that changed since the watermark (see macros/incremental.sql) and inserts
    them recomputed.
-#}

with

orders as (

    select * from {{ ref('int_orders_enriched') }} as orders
    where not orders.is_test
        and {{ incremental_slice(replace_rows=true) }}

),

order_items as (

    select * from {{ ref('int_order_items_enriched') }} as order_items
    where order_items.order_key in (select orders.order_key from orders)

),

order_units as (

    select
        order_key,
        count(*) as items_count,
        coalesce(sum(quantity), 0) as units

    from order_items
    group by order_key

),

final as (

    select
        orders.order_key,
        orders.platform,
        orders.store,
        orders.order_id,
        orders.order_number,
        orders.customer_key,
        orders.customer_id,
        orders.is_guest,
        orders.ordered_at,
        {{ reporting_date('orders.ordered_at') }} as ordered_date,
        orders.status,
        orders.platform_status,
        orders.is_cancelled,
        orders.source,
        orders.billing_country_code,
        coalesce(order_units.items_count, 0) as items_count,
        coalesce(order_units.units, 0) as units,
        orders.currency,
        orders.order_total,
        orders.subtotal,
        orders.tax_total,
        orders.shipping_total,
        orders.discount_total,
        orders.refunds_count,
        orders.refunded,
        orders.net_revenue,
        orders.reporting_currency,
        orders.exchange_rate,
        orders.is_currency_unknown,
        orders.order_total_reporting,
        orders.subtotal_reporting,
        orders.revenue_reporting,
        orders.refunded_reporting,
        orders.net_revenue_reporting,
        orders.updated_at,
        orders.cancelled_at,
        orders.first_refunded_at,
        orders.last_refunded_at,
        orders.loaded_at

    from orders
    left join order_units
        on order_units.order_key = orders.order_key

)

select * from final
