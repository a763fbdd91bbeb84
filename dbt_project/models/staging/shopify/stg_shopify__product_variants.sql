with

source as (

    {{ typed_source('shopify', 'products__variants', {
        'id': 'text',
        'product_id': 'text',
        'sku': 'text',
        'title': 'text',
        'position': 'integer',
        'price': 'numeric',
        'compare_at_price': 'numeric',
        'inventory_quantity': 'integer',
        'created_at': 'timestamp',
        'updated_at': 'timestamp',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as variant_id,
        _dlt_parent_id as product_dlt_id,
        product_id,

        ---------- text
        sku,
        title as variant_name,

        ---------- numerics
        position,
        price,
        compare_at_price,
        inventory_quantity,

        ---------- timestamps (UTC)
        created_at,
        updated_at,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
