with

source as (

    {{ typed_source('commercetools', 'orders__return_info__items', {
        'id': 'text',
        'type': 'text',
        'line_item_id': 'text',
        'quantity': 'integer',
        'shipment_state': 'text',
        'payment_state': 'text',
        'created_at': 'timestamp',
        'last_modified_at': 'timestamp',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
        '_dlt_root_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as return_item_id,
        _dlt_parent_id as return_info_dlt_id,
        _dlt_root_id as order_dlt_id,
        line_item_id as order_item_id,

        ---------- text
        type as return_item_type,
        shipment_state,
        payment_state,

        ---------- numerics
        quantity,

        ---------- timestamps (UTC)
        created_at,
        last_modified_at as updated_at,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
