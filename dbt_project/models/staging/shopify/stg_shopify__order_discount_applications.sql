with

source as (

    {{ typed_source('shopify', 'orders__discount_applications', {
        'type': 'text',
        'code': 'text',
        'title': 'text',
        'value': 'numeric',
        'value_type': 'text',
        'target_type': 'text',
        'target_selection': 'text',
        'allocation_method': 'text',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
        '_dlt_list_idx': 'integer',
    }) }}

),

final as (

    select
        ----------  ids
        _dlt_id as discount_application_dlt_id,
        _dlt_parent_id as order_dlt_id,
        -- discount_allocations.discount_application_index points at this position
        _dlt_list_idx as discount_application_index,

        ---------- text
        type as discount_type,
        coalesce(code, title) as discount_code,
        value_type,
        target_type,
        target_selection,
        allocation_method,

        ---------- numerics (a percentage or an amount, see value_type)
        value,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
