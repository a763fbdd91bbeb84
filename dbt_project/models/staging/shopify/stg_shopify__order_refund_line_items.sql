with

source as (

    {{ typed_source('shopify', 'orders__refunds__refund_line_items', {
        'id': 'text',
        'line_item__id': 'text',
        'quantity': 'integer',
        'restock_type': 'text',
        'subtotal_set__shop_money__amount': 'numeric',
        'total_tax_set__shop_money__amount': 'numeric',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
        '_dlt_root_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids (Shopify's numeric ids, from the GIDs)
        {{ gid_number('id') }} as refund_item_id,
        _dlt_id as refund_item_dlt_id,
        _dlt_parent_id as refund_dlt_id,
        _dlt_root_id as order_dlt_id,
        {{ gid_number('line_item__id') }} as order_item_id,

        ---------- text
        lower(restock_type) as restock_type,

        ---------- numerics
        quantity,
        subtotal_set__shop_money__amount as subtotal,
        total_tax_set__shop_money__amount as tax_total,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
