with

source as (

    {{ typed_source('shopify', 'orders__line_items', {
        'id': 'text',
        'product__id': 'text',
        'product__legacy_resource_id': 'text',
        'variant__id': 'text',
        'variant__legacy_resource_id': 'text',
        'sku': 'text',
        'title': 'text',
        'name': 'text',
        'variant_title': 'text',
        'vendor': 'text',
        'quantity': 'integer',
        'original_unit_price_set__shop_money__amount': 'numeric',
        'total_discount_set__shop_money__amount': 'numeric',
        'is_gift_card': 'boolean',
        'taxable': 'boolean',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids (Shopify's numeric ids; a LineItem has no legacyResourceId)
        {{ gid_number('id') }} as order_item_id,
        _dlt_id as order_item_dlt_id,
        _dlt_parent_id as order_dlt_id,
        {{ shopify_numeric_id('product__legacy_resource_id', 'product__id') }} as product_id,
        {{ shopify_numeric_id('variant__legacy_resource_id', 'variant__id') }} as variant_id,

        ---------- text
        sku,
        title as product_title,
        name as line_name,
        variant_title,
        vendor,

        ---------- numerics
        quantity,
        original_unit_price_set__shop_money__amount as unit_price,
        total_discount_set__shop_money__amount as discount_amount,

        ---------- booleans
        is_gift_card,
        taxable as is_taxable,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
