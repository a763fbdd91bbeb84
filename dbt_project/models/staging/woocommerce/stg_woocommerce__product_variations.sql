with

source as (

    {{ typed_source('woocommerce', 'products__variations', {
        'value': 'text',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
        '_dlt_list_idx': 'integer',
    }) }}

),

final as (

    select
        ----------  ids
        -- the product's `variations` list holds the variation (product) ids
        value as variant_id,
        _dlt_id as variation_dlt_id,
        _dlt_parent_id as product_dlt_id,

        ---------- numerics
        _dlt_list_idx as position,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
