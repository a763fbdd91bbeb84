with

source as (

    {{ typed_source('shopify', 'orders__line_items', {
        'id': 'text',
        'product_id': 'text',
        'variant_id': 'text',
        'sku': 'text',
        'title': 'text',
        'name': 'text',
        'variant_title': 'text',
        'vendor': 'text',
        'quantity': 'integer',
        'price': 'numeric',
        'total_discount': 'numeric',
        'gift_card': 'boolean',
        'taxable': 'boolean',
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
        product_id,
        variant_id,

        ---------- text
        sku,
        title as product_title,
        name as line_name,
        variant_title,
        vendor,

        ---------- numerics
        quantity,
        price as unit_price,
        total_discount as discount_amount,

        ---------- booleans
        gift_card as is_gift_card,
        taxable as is_taxable,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
