with

source as (

    {{ typed_source('shopify', 'orders__line_items__discount_allocations', {
        'allocated_amount_set__shop_money__amount': 'numeric',
        'discount_application__index': 'integer',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
        '_dlt_root_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        _dlt_id as discount_allocation_dlt_id,
        _dlt_parent_id as order_item_dlt_id,
        _dlt_root_id as order_dlt_id,
        discount_application__index as discount_application_index,

        ---------- money (shop currency)
        allocated_amount_set__shop_money__amount as discount_amount,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
