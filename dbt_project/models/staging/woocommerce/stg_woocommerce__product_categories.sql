with

source as (

    {{ typed_source('woocommerce', 'products__categories', {
        'id': 'text',
        'name': 'text',
        'slug': 'text',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
        '_dlt_list_idx': 'integer',
    }) }}

),

final as (

    select
        ----------  ids
        id as category_id,
        _dlt_parent_id as product_dlt_id,

        ---------- text
        name as category_name,
        slug as category_slug,

        ---------- numerics
        _dlt_list_idx as position,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
