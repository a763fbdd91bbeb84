with

source as (

    {{ typed_source('shopify', 'orders__payment_gateway_names', {
        'value': 'text',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        _dlt_id as payment_gateway_dlt_id,
        _dlt_parent_id as order_dlt_id,

        ---------- text
        value as payment_gateway,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
