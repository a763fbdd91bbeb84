with

source as (

    {{ typed_source('shopify', 'orders__refunds__transactions', {
        'id': 'text',
        'kind': 'text',
        'status': 'text',
        'gateway': 'text',
        'amount': 'numeric',
        'currency': 'text',
        'created_at': 'timestamp',
        'processed_at': 'timestamp',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
        '_dlt_root_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as transaction_id,
        _dlt_id as transaction_dlt_id,
        _dlt_parent_id as refund_dlt_id,
        _dlt_root_id as order_dlt_id,

        ---------- text
        lower(kind) as kind,
        lower(status) as status,
        gateway,
        upper(currency) as currency,

        ---------- money
        amount,

        ---------- timestamps (UTC)
        created_at,
        processed_at,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
