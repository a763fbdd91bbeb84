{#-
    Shopify order lines in the shared line contract (_int_platforms__models.yml).
    Amounts in the shop currency on the basis of the order's subtotal_price: the line
    before discounts is price x quantity, its discount the sum of its
    discount_allocations (its share of every discount; the older line-level
    total_discount only when there are none). Grouped by the line's own columns, so an
    incremental run's filter on order_dlt_id reaches the raw lines' index.
-#}
with

lines as (

    select * from {{ ref('stg_shopify__order_line_items') }}

),

discount_allocations as (

    select * from {{ ref('stg_shopify__order_line_discount_allocations') }}

),

lines_discounted as (

    select
        lines.store,
        lines.order_dlt_id,
        lines.order_item_dlt_id,
        lines.order_item_id,
        lines.product_id,
        lines.variant_id,
        lines.sku,
        lines.product_title,
        lines.line_name,
        lines.quantity,
        lines.unit_price,
        coalesce(sum(discount_allocations.discount_amount), lines.discount_amount, 0) as allocated_discount

    from lines
    left join discount_allocations
        on discount_allocations.order_item_dlt_id = lines.order_item_dlt_id
    group by
        lines.store,
        lines.order_dlt_id,
        lines.order_item_dlt_id,
        lines.order_item_id,
        lines.product_id,
        lines.variant_id,
        lines.sku,
        lines.product_title,
        lines.line_name,
        lines.quantity,
        lines.unit_price,
        lines.discount_amount

),

final as (

    select
        cast('shopify' as {{ dbt.type_string() }}) as platform,
        store,
        order_dlt_id,
        coalesce(order_item_id, 'dlt:' || order_item_dlt_id) as order_item_id,
        product_id,
        variant_id,
        sku,
        coalesce(line_name, product_title) as line_name,
        quantity,
        unit_price,
        cast(unit_price * quantity as {{ money_type() }}) as line_subtotal,
        cast(allocated_discount as {{ money_type() }}) as discount_amount,
        cast(unit_price * quantity - allocated_discount as {{ money_type() }}) as line_total

    from lines_discounted

)

select * from final
