with

source as (

    {{ typed_source('shopify', 'orders__refunds', {
        'id': 'text',
        'order_id': 'text',
        'note': 'text',
        'restock': 'boolean',
        'created_at': 'timestamp',
        'processed_at': 'timestamp',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as refund_id,
        _dlt_id as refund_dlt_id,
        _dlt_parent_id as order_dlt_id,
        order_id,

        ---------- text
        note,

        ---------- booleans
        restock as is_restock,

        ---------- timestamps (UTC)
        created_at,
        processed_at,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
