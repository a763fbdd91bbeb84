with

source as (

    {{ typed_source('commercetools', 'customers__billing_address_ids', {
        'value': 'text',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        _dlt_id as billing_address_dlt_id,
        _dlt_parent_id as customer_dlt_id,
        -- an id of customers__addresses that the customer uses as a billing address
        value as address_id,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
