with

source as (

    {{ typed_source('commercetools', 'orders__payment_info__payments', {
        'id': 'text',
        'obj__amount_planned__currency_code': 'text',
        'obj__amount_planned__cent_amount': 'bigint',
        'obj__amount_planned__fraction_digits': 'integer',
        'obj__payment_method_info__method': 'text',
        'obj__payment_method_info__payment_interface': 'text',
        'obj__created_at': 'timestamp',
        'obj__last_modified_at': 'timestamp',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as payment_id,
        _dlt_id as payment_dlt_id,
        _dlt_parent_id as order_dlt_id,

        ---------- text
        obj__payment_method_info__method as payment_method,
        obj__payment_method_info__payment_interface as payment_interface,
        upper(obj__amount_planned__currency_code) as currency,

        ---------- money (CentPrecisionMoney)
        {{ cents_to_amount('obj__amount_planned__cent_amount', 'obj__amount_planned__fraction_digits') }} as amount_planned,

        ---------- timestamps (UTC)
        obj__created_at as created_at,
        obj__last_modified_at as updated_at,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
