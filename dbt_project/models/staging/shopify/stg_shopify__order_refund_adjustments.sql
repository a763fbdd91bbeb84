with

source as (

    {{ typed_source('shopify', 'orders__refunds__order_adjustments', {
        'id': 'text',
        'refund_id': 'text',
        'kind': 'text',
        'reason': 'text',
        'amount': 'numeric',
        'tax_amount': 'numeric',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
        '_dlt_root_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as adjustment_id,
        _dlt_parent_id as refund_dlt_id,
        _dlt_root_id as order_dlt_id,
        refund_id,

        ---------- text
        lower(kind) as kind,
        reason,

        ---------- money (shop currency; negative = money given back, e.g. a shipping refund)
        amount,
        tax_amount,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
