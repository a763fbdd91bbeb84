with

source as (

    {{ typed_source('commercetools', 'orders__shipping_info__deliveries__items', {
        'id': 'text',
        'quantity': 'integer',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
        '_dlt_root_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        _dlt_id as delivery_item_dlt_id,
        _dlt_parent_id as delivery_dlt_id,
        _dlt_root_id as order_dlt_id,
        -- the delivered line item's id
        id as order_item_id,

        ---------- numerics
        quantity,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
