with

source as (

    {{ typed_source('commercetools', 'orders__taxed_price__tax_portions', {
        'name': 'text',
        'rate': 'numeric',
        'amount__currency_code': 'text',
        'amount__cent_amount': 'bigint',
        'amount__fraction_digits': 'integer',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        _dlt_id as tax_portion_dlt_id,
        _dlt_parent_id as order_dlt_id,

        ---------- text
        name as tax_name,
        upper(amount__currency_code) as currency,

        ---------- numerics (CentPrecisionMoney: centAmount / 10^fractionDigits)
        rate as tax_rate,
        {{ cents_to_amount('amount__cent_amount', 'amount__fraction_digits') }} as tax_amount,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
