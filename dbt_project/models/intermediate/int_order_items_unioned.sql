{{ config(indexes=[{'columns': ['order_key']}, {'columns': ['loaded_at']}]) }}
{#-
    One row per order line (item) of every platform (int_<platform>__order_items), with
    the order it belongs to (child rows reach their order through dlt's _dlt_parent_id
    -> orders._dlt_id). Amounts share one basis per platform, the same as the order's
    subtotal:
      * line_subtotal: before discounts (unit price x quantity; WooCommerce subtotal);
      * discount_amount: discounts allocated to the line;
      * line_total: after discounts - what the line contributes to the order subtotal.
    Incremental: all lines of the changed orders are replaced (macros/incremental.sql).
-#}

with

orders as (

    select orders.order_key, orders.platform, orders.store, orders.order_dlt_id, orders.loaded_at
    from {{ ref('int_orders_unioned') }} as orders
    where {{ incremental_slice(customers=false, replace_rows=true) }}

),

unioned as (
    {{ union_platforms('order_items', orders_in_scope=true) }}
),

final as (

    select
        orders.order_key || '|' || unioned.order_item_id as order_item_key,
        orders.order_key,
        unioned.platform,
        unioned.order_dlt_id,
        unioned.order_item_id,
        unioned.product_id,
        unioned.variant_id,
        unioned.sku,
        unioned.line_name,
        unioned.quantity,
        unioned.unit_price,
        unioned.line_subtotal,
        unioned.discount_amount,
        unioned.line_total,
        orders.loaded_at

    from unioned
    inner join orders
        on orders.platform = unioned.platform
        and orders.store = unioned.store
        and orders.order_dlt_id = unioned.order_dlt_id

)

select * from final
