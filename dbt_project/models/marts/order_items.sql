{{ config(indexes=[{'columns': ['order_key']}, {'columns': ['loaded_at']}]) }}
{#-
    One row per order line of every non-test order. Incremental by order: all lines
    of a changed order are deleted and inserted again (delete+insert on order_key),
    so a line removed from an order disappears too.
-#}

with

order_items as (

    select * from {{ ref('int_order_items_enriched') }} as order_items
    where not order_items.is_test
        and {{ incremental_slice('order', 'order_items', replace_rows=true) }}

),

final as (

    select
        order_item_key,
        order_key,
        product_key,
        platform,
        store,
        order_id,
        order_item_id,
        customer_key,
        ordered_at,
        {{ reporting_date('ordered_at') }} as ordered_date,
        source,
        status,
        is_cancelled,
        product_id,
        variant_id,
        sku,
        item_name,
        quantity,
        currency,
        unit_price,
        line_subtotal,
        discount_amount,
        line_total,
        reporting_currency,
        exchange_rate,
        is_currency_unknown,
        line_total_reporting,
        loaded_at

    from order_items

)

select * from final
