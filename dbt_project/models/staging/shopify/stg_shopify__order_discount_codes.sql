with

source as (

    {{ typed_source('shopify', 'orders__discount_codes', {
        'code': 'text',
        'type': 'text',
        'amount': 'numeric',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        _dlt_id as discount_code_dlt_id,
        _dlt_parent_id as order_dlt_id,

        ---------- text
        code as discount_code,
        type as discount_type,

        ---------- money (shop currency)
        amount as discount_amount,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
