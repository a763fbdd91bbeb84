with

source as (

    {{ typed_source('shopify', 'customers__addresses', {
        'id': 'text',
        'customer_id': 'text',
        'city': 'text',
        'province_code': 'text',
        'zip': 'text',
        'country_code': 'text',
        'default': 'boolean',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as address_id,
        _dlt_parent_id as customer_dlt_id,
        customer_id,

        ---------- text
        city,
        province_code,
        zip as postal_code,
        upper(country_code) as country_code,

        ---------- booleans
        coalesce({{ adapter.quote("default") }}, false) as is_default,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
