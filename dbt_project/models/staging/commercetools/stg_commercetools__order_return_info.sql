with

source as (

    {{ typed_source('commercetools', 'orders__return_info', {
        'return_date': 'timestamp',
        'return_tracking_id': 'text',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        _dlt_id as return_info_dlt_id,
        _dlt_parent_id as order_dlt_id,
        return_tracking_id,

        ---------- timestamps (UTC)
        return_date as returned_at,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
