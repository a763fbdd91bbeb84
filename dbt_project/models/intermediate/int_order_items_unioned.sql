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
    One row per order line (item) of every platform, with the order it belongs to (child
    rows reach their order through dlt's _dlt_parent_id -> orders._dlt_id).
    Amounts share one basis per platform, the same as the order's subtotal:
      * line_subtotal: before discounts (unit price x quantity; WooCommerce subtotal);
      * discount_amount: discounts allocated to the line;
      * line_total: after discounts - what the line contributes to the order subtotal.
    Incremental: all lines of the changed orders are replaced (macros/incremental.sql).
-#}
{%- set watermarks = incremental_watermarks('loaded_at') %}

with

orders as (

    select orders.order_key, orders.platform, orders.order_dlt_id, orders.loaded_at
    from {{ ref('int_orders_unioned') }} as orders
    {%- if is_incremental() %}
    where {{ order_changed_since(watermarks, customers=false) }}
    {%- endif %}

),

shopify_lines as (

    select * from {{ ref('stg_shopify__order_line_items') }}
    {{- where_order_in_scope('shopify') }}

),

shopify_discount_allocations as (

    select * from {{ ref('stg_shopify__order_line_discount_allocations') }}
    {{- where_order_in_scope('shopify') }}

),

woocommerce_lines as (

    select * from {{ ref('stg_woocommerce__order_line_items') }}
    {{- where_order_in_scope('woocommerce') }}

),

commercetools_lines as (

    select * from {{ ref('stg_commercetools__order_line_items') }}
    {{- where_order_in_scope('commercetools') }}

),

shopify_line_discounts as (

    select
        order_item_dlt_id,
        sum(discount_amount) as discount_amount

    from shopify_discount_allocations
    group by order_item_dlt_id

),

shopify_lines_discounted as (

    select
        shopify_lines.*,
        -- discount_allocations carry a line's share of every discount; the older
        -- line-level total_discount is only used when there are no allocations
        coalesce(shopify_line_discounts.discount_amount, shopify_lines.discount_amount, 0) as allocated_discount

    from shopify_lines
    left join shopify_line_discounts
        on shopify_line_discounts.order_item_dlt_id = shopify_lines.order_item_dlt_id

),

shopify as (

    select
        'shopify'::text as platform,
        order_dlt_id,
        coalesce(order_item_id, 'dlt:' || order_item_dlt_id) as order_item_id,
        product_id,
        variant_id,
        sku,
        coalesce(line_name, product_title) as line_name,
        quantity,
        unit_price,
        unit_price * quantity as line_subtotal,
        allocated_discount as discount_amount,
        unit_price * quantity - allocated_discount as line_total

    from shopify_lines_discounted

),

woocommerce as (

    select
        'woocommerce'::text as platform,
        order_dlt_id,
        coalesce(order_item_id, 'dlt:' || order_item_dlt_id) as order_item_id,
        product_id,
        variant_id,
        sku,
        line_name,
        quantity,
        unit_price,
        line_subtotal,
        line_subtotal - line_total as discount_amount,
        line_total

    from woocommerce_lines

),

commercetools as (

    select
        'commercetools'::text as platform,
        order_dlt_id,
        coalesce(order_item_id, 'dlt:' || order_item_dlt_id) as order_item_id,
        product_id,
        variant_id,
        sku,
        line_name,
        quantity,
        unit_price,
        unit_price * quantity as line_subtotal,
        unit_price * quantity - line_total as discount_amount,
        line_total

    from commercetools_lines

),

unioned as (

    select * from shopify
    union all
    select * from woocommerce
    union all
    select * from commercetools

),

final as (

    select
        orders.order_key || '|' || unioned.order_item_id as order_item_key,
        orders.order_key,
        unioned.*,
        orders.loaded_at

    from unioned
    inner join orders
        on orders.platform = unioned.platform
        and orders.order_dlt_id = unioned.order_dlt_id

)

select * from final
