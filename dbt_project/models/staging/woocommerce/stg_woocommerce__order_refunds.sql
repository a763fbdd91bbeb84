with

source as (

    {{ typed_source('woocommerce', 'orders__refunds', {
        'id': 'text',
        'reason': 'text',
        'total': 'numeric',
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

        ---------- text
        nullif(reason, '') as reason,

        ---------- money: the API reports refunds as negative totals ("-10.00");
        -- refund_amount is the positive amount given back
        -total as refund_amount,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
