with

source as (

    {{ typed_source('woocommerce', 'variations', {
        'id': 'text',
        'product_id': 'text',
        'sku': 'text',
        'name': 'text',
        'status': 'text',
        'price': 'numeric',
        'date_created_gmt': 'timestamp',
        'date_modified_gmt': 'timestamp',
        '_dlt_id': 'text',
        '_dlt_load_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as variant_id,
        _dlt_id as variant_dlt_id,
        -- the loader adds the product's id (GET /products/<id>/variations)
        product_id,
        sku,

        ---------- text
        name as variant_name,
        lower(status) as status,

        ---------- money
        price,

        ---------- timestamps (UTC)
        date_created_gmt as created_at,
        date_modified_gmt as updated_at,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
