with

source as (

    {{ typed_source('shopify', 'orders__discount_applications', {
        'typename': 'text',
        'index': 'integer',
        'code': 'text',
        'title': 'text',
        'value__amount': 'numeric',
        'value__percentage': 'numeric',
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
        -- discount allocations point at this index (the position in the order's list)
        coalesce(index, _dlt_list_idx) as discount_application_index,

        ---------- text (the GraphQL type and enums in the REST API's words)
        case typename
            when 'DiscountCodeApplication' then 'discount_code'
            when 'AutomaticDiscountApplication' then 'automatic'
            when 'ManualDiscountApplication' then 'manual'
            when 'ScriptDiscountApplication' then 'script'
        end as discount_type,
        coalesce(code, title) as discount_code,
        case
            when value__percentage is not null then 'percentage'
            when value__amount is not null then 'fixed_amount'
        end as value_type,
        lower(target_type) as target_type,
        lower(target_selection) as target_selection,
        lower(allocation_method) as allocation_method,

        ---------- numerics (a percentage or an amount, see value_type)
        coalesce(value__percentage, value__amount) as value,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
