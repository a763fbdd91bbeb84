with

source as (

    {{ typed_source('commercetools', 'customers__stores', {
        'key': 'text',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        _dlt_id as customer_store_dlt_id,
        _dlt_parent_id as customer_dlt_id,
        key as store_key,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
