with

source as (

    {{ typed_source('shopify', 'products__variants', {
        'id': 'text',
        'legacy_resource_id': 'text',
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

products as (

    {{ shopify_parents('products') }}

),

final as (

    select
        ----------  ids (Shopify's numeric ids)
        {{ shopify_numeric_id('source.legacy_resource_id', 'source.id') }} as variant_id,
        source._dlt_id as variant_dlt_id,
        source._dlt_parent_id as product_dlt_id,
        products.numeric_id as product_id,

        ---------- text
        source.sku,
        source.title as variant_name,

        ---------- numerics
        source.position,
        source.price,
        source.compare_at_price,
        source.inventory_quantity,

        ---------- timestamps (UTC)
        source.created_at,
        source.updated_at,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        source.store

    from source
    left join products
        on products._dlt_id = source._dlt_parent_id
        and products.store = source.store

)

select * from final
