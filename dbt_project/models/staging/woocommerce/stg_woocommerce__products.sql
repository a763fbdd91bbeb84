with

source as (

    {{ typed_source('woocommerce', 'products', {
        'id': 'text',
        'name': 'text',
        'slug': 'text',
        'type': 'text',
        'status': 'text',
        'sku': 'text',
        'price': 'numeric',
        'regular_price': 'numeric',
        'sale_price': 'numeric',
        'stock_quantity': 'integer',
        'date_created_gmt': 'timestamp',
        'date_modified_gmt': 'timestamp',
        '_dlt_id': 'text',
        '_dlt_load_id': 'text',
    }) }}

),

marked as (

    {{ mark_deleted('source', 'woocommerce', 'products') }}

),

final as (

    select
        ----------  ids
        id as product_id,
        _dlt_id as product_dlt_id,

        ---------- text
        name as product_name,
        slug as handle,
        lower(type) as product_type,
        lower(status) as status,
        nullif(sku, '') as sku,

        ---------- numerics
        price,
        regular_price,
        sale_price,
        stock_quantity,

        ---------- timestamps (UTC)
        date_created_gmt as created_at,
        date_modified_gmt as updated_at,

        ---------- deletes (macros/deleted_records.sql)
        {{ deletion_columns(dlt_loaded_at('_dlt_load_id')) }},

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from marked

)

select * from final
