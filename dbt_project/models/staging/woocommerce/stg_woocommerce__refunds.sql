with

source as (

    {{ typed_source('woocommerce', 'refunds', {
        'id': 'text',
        'order_id': 'text',
        'date_created_gmt': 'timestamp',
        'amount': 'numeric',
        'reason': 'text',
        '_dlt_id': 'text',
        '_dlt_load_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as refund_id,
        _dlt_id as refund_dlt_id,
        -- the loader adds the order's id: GET /orders/<id>/refunds has no parent field
        order_id,

        ---------- text
        nullif(reason, '') as reason,

        ---------- money: `amount` is positive, the amount given back
        amount as refund_amount,

        ---------- timestamps (UTC: *_gmt values carry no zone suffix)
        date_created_gmt as refunded_at,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
