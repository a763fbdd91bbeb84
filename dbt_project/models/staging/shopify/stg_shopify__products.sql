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

marked as (

    {{ mark_deleted('source', 'shopify', 'products') }}

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

        ---------- deletes (macros/deleted_records.sql)
        {{ deletion_columns(dlt_loaded_at('_dlt_load_id')) }},

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from marked

)

select * from final
