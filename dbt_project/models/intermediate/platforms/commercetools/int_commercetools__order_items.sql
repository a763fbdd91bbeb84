{#-
    commercetools order lines in the shared line contract (_int_platforms__models.yml):
    totalPrice is the line after its discounts, so the discount is price x quantity
    less it.
-#}
with

lines as (

    select * from {{ ref('stg_commercetools__order_line_items') }}

),

final as (

    select
        cast('commercetools' as {{ dbt.type_string() }}) as platform,
        store,
        order_dlt_id,
        coalesce(order_item_id, 'dlt:' || order_item_dlt_id) as order_item_id,
        product_id,
        variant_id,
        sku,
        line_name,
        quantity,
        unit_price,
        cast(unit_price * quantity as {{ money_type() }}) as line_subtotal,
        cast(unit_price * quantity - line_total as {{ money_type() }}) as discount_amount,
        line_total

    from lines

)

select * from final
