with

source as (

    {{ typed_source('woocommerce', 'orders__line_items', {
        'id': 'text',
        'product_id': 'text',
        'variation_id': 'text',
        'sku': 'text',
        'name': 'text',
        'quantity': 'integer',
        'price': 'numeric',
        'subtotal': 'numeric',
        'subtotal_tax': 'numeric',
        'total': 'numeric',
        'total_tax': 'numeric',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as order_item_id,
        _dlt_id as order_item_dlt_id,
        _dlt_parent_id as order_dlt_id,
        nullif(product_id, '0') as product_id,
        -- 0 means "not a variation"
        nullif(variation_id, '0') as variant_id,

        ---------- text
        nullif(sku, '') as sku,
        name as line_name,

        ---------- numerics (line subtotal/total exclude tax; total is after discounts)
        quantity,
        price as unit_price,
        subtotal as line_subtotal,
        subtotal_tax as line_subtotal_tax,
        total as line_total,
        total_tax as line_total_tax,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
