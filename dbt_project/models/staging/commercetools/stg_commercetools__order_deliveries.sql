with

source as (

    {{ typed_source('commercetools', 'orders__shipping_info__deliveries', {
        'id': 'text',
        'created_at': 'timestamp',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as delivery_id,
        _dlt_id as delivery_dlt_id,
        _dlt_parent_id as order_dlt_id,

        ---------- timestamps (UTC)
        created_at as shipped_at,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
