with

source as (

    {{ typed_source('shopify', 'products__options', {
        'id': 'text',
        'name': 'text',
        'position': 'integer',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

products as (

    {{ shopify_parents('products') }}

),

final as (

    select
        ----------  ids (Shopify's numeric ids, from the GIDs)
        {{ gid_number('source.id') }} as option_id,
        source._dlt_id as option_dlt_id,
        source._dlt_parent_id as product_dlt_id,
        products.numeric_id as product_id,

        ---------- text
        source.name as option_name,

        ---------- numerics
        source.position,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        source.store

    from source
    left join products
        on products._dlt_id = source._dlt_parent_id
        and products.store = source.store

)

select * from final
