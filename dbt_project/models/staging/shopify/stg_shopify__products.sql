with

source as (

    {{ typed_source('shopify', 'products', {
        'id': 'text',
        'title': 'text',
        'handle': 'text',
        'vendor': 'text',
        'product_type': 'text',
        'status': 'text',
        'tags': 'text',
        'created_at': 'timestamp',
        'updated_at': 'timestamp',
        'published_at': 'timestamp',
        '_dlt_id': 'text',
        '_dlt_load_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as product_id,
        _dlt_id as product_dlt_id,

        ---------- text
        title as product_name,
        handle,
        vendor,
        product_type,
        lower(status) as status,
        tags,

        ---------- timestamps (UTC)
        created_at,
        updated_at,
        published_at,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
