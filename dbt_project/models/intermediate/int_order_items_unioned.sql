{{
    config(
        materialized='incremental',
        unique_key='order_key',
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['order_key']}, {'columns': ['loaded_at']}],
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_changed_orders(customers=false) }}"
    )
}}
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
{%- set watermarks = incremental_watermarks('loaded_at') %}

with

orders as (

    select orders.order_key, orders.platform, orders.store, orders.order_dlt_id, orders.loaded_at
    from {{ ref('int_orders_unioned') }} as orders
    {%- if is_incremental() %}
    where {{ order_changed_since(watermarks, customers=false) }}
    {%- endif %}

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
