with

source as (

    {{ typed_source('shopify', 'orders__refunds__refund_shipping_lines', {
        'id': 'text',
        'subtotal_amount_set__shop_money__amount': 'numeric',
        'tax_amount_set__shop_money__amount': 'numeric',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
        '_dlt_root_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        {{ gid_number('id') }} as refund_shipping_line_id,
        _dlt_id as refund_shipping_line_dlt_id,
        _dlt_parent_id as refund_dlt_id,
        _dlt_root_id as order_dlt_id,

        ---------- money (shop currency; what was refunded, positive)
        subtotal_amount_set__shop_money__amount as subtotal,
        tax_amount_set__shop_money__amount as tax_total,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
