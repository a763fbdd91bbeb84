with

source as (

    {{ typed_source('woocommerce', 'products__attributes', {
        'id': 'text',
        'name': 'text',
        'slug': 'text',
        'position': 'integer',
        'visible': 'boolean',
        'variation': 'boolean',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as attribute_id,
        _dlt_id as attribute_dlt_id,
        _dlt_parent_id as product_dlt_id,

        ---------- text
        name as attribute_name,
        slug as attribute_slug,

        ---------- numerics
        position,

        ---------- booleans
        visible as is_visible,
        variation as is_variation_attribute,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
