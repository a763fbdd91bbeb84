with

source as (

    {{ typed_source('shopify', 'products__options', {
        'id': 'text',
        'product_id': 'text',
        'name': 'text',
        'position': 'integer',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as option_id,
        _dlt_id as option_dlt_id,
        _dlt_parent_id as product_dlt_id,
        product_id,

        ---------- text
        name as option_name,

        ---------- numerics
        position,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
