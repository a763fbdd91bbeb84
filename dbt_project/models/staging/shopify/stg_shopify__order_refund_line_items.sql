with

source as (

    {{ typed_source('shopify', 'orders__refunds__refund_line_items', {
        'id': 'text',
        'line_item_id': 'text',
        'quantity': 'integer',
        'restock_type': 'text',
        'subtotal': 'numeric',
        'total_tax': 'numeric',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
        '_dlt_root_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as refund_item_id,
        _dlt_id as refund_item_dlt_id,
        _dlt_parent_id as refund_dlt_id,
        _dlt_root_id as order_dlt_id,
        line_item_id as order_item_id,

        ---------- text
        restock_type,

        ---------- numerics
        quantity,
        subtotal,
        total_tax as tax_total,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
