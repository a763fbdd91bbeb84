with

source as (

    {{ typed_source('commercetools', 'customers__addresses', {
        'id': 'text',
        'first_name': 'text',
        'last_name': 'text',
        'street_name': 'text',
        'street_number': 'text',
        'additional_address_info': 'text',
        'postal_code': 'text',
        'city': 'text',
        'state': 'text',
        'country': 'text',
        'phone': 'text',
        'email': 'text',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
        '_dlt_list_idx': 'integer',
    }) }}

),

final as (

    select
        ----------  ids
        id as address_id,
        _dlt_id as address_dlt_id,
        _dlt_parent_id as customer_dlt_id,

        ---------- text
        first_name,
        last_name,
        street_name,
        street_number,
        additional_address_info,
        postal_code,
        city,
        state,
        upper(country) as country_code,
        phone,
        email,

        ---------- numerics
        _dlt_list_idx as position,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
