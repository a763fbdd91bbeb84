{#-
    WooCommerce order lines in the shared line contract (_int_platforms__models.yml):
    the line's subtotal (before coupons) and total (after), so the discount is their
    difference.
-#}
with

lines as (

    select * from {{ ref('stg_woocommerce__order_line_items') }}

),

final as (

    select
        cast('woocommerce' as {{ dbt.type_string() }}) as platform,
        store,
        order_dlt_id,
        coalesce(order_item_id, 'dlt:' || order_item_dlt_id) as order_item_id,
        product_id,
        variant_id,
        sku,
        line_name,
        quantity,
        unit_price,
        line_subtotal,
        cast(line_subtotal - line_total as {{ money_type() }}) as discount_amount,
        line_total

    from lines

)

select * from final
