with

source as (

    {{ typed_source('shopify', 'customers__addresses_v2', {
        'id': 'text',
        'city': 'text',
        'province_code': 'text',
        'zip': 'text',
        'country_code_v2': 'text',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

customers as (

    {{ shopify_parents('customers', {'default_address__id': 'text'}) }}

),

final as (

    select
        ----------  ids (Shopify's numeric ids, from the GIDs)
        {{ gid_number('source.id') }} as address_id,
        source._dlt_parent_id as customer_dlt_id,
        customers.numeric_id as customer_id,

        ---------- text
        source.city,
        source.province_code,
        source.zip as postal_code,
        upper(source.country_code_v2) as country_code,

        ---------- booleans
        coalesce(source.id = customers.default_address__id, false) as is_default,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        source.store

    from source
    left join customers
        on customers._dlt_id = source._dlt_parent_id
        and customers.store = source.store

)

select * from final
