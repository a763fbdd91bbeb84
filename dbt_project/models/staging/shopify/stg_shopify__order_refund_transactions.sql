with

source as (

    {{ typed_source('shopify', 'orders__refunds__transactions', {
        'id': 'text',
        'kind': 'text',
        'status': 'text',
        'gateway': 'text',
        'amount_set__presentment_money__amount': 'numeric',
        'amount_set__presentment_money__currency_code': 'text',
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
        {{ gid_number('id') }} as transaction_id,
        _dlt_id as transaction_dlt_id,
        _dlt_parent_id as refund_dlt_id,
        _dlt_root_id as order_dlt_id,

        ---------- text
        lower(kind) as kind,
        lower(status) as status,
        gateway,
        upper(amount_set__presentment_money__currency_code) as currency,

        ---------- money (the presentment currency, as the REST API gave it)
        amount_set__presentment_money__amount as amount,

        ---------- timestamps (UTC)
        created_at,
        processed_at,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
