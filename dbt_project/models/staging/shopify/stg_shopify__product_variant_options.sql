with

source as (

    {{ typed_source('shopify', 'products__variants__selected_options', {
        'name': 'text',
        'value': 'text',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
        '_dlt_root_id': 'text',
        '_dlt_list_idx': 'integer',
    }) }}

),

final as (

    select
        ----------  ids
        _dlt_id as variant_option_dlt_id,
        _dlt_parent_id as variant_dlt_id,
        _dlt_root_id as product_dlt_id,

        ---------- text
        name as option_name,
        value as option_value,

        ---------- numerics
        _dlt_list_idx as position,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
