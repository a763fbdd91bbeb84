with

source as (

    {{ typed_source('commercetools', 'orders__line_items__state', {
        'quantity': 'integer',
        'state__id': 'text',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
        '_dlt_root_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        _dlt_id as line_item_state_dlt_id,
        _dlt_parent_id as order_item_dlt_id,
        _dlt_root_id as order_dlt_id,
        -- a reference to a commercetools State (workflow step of the line item)
        state__id as state_id,

        ---------- numerics
        quantity,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
