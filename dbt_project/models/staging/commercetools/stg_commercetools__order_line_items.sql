with

source as (

    {{ typed_source('commercetools', 'orders__line_items', {
        'id': 'text',
        'product_id': 'text',
        'product_key': 'text',
        'name': 'localized',
        'variant__id': 'text',
        'variant__sku': 'text',
        'quantity': 'integer',
        'price__value__currency_code': 'text',
        'price__value__cent_amount': 'bigint',
        'price__value__fraction_digits': 'integer',
        'price__discounted__value__cent_amount': 'bigint',
        'price__discounted__value__fraction_digits': 'integer',
        'total_price__currency_code': 'text',
        'total_price__cent_amount': 'bigint',
        'total_price__fraction_digits': 'integer',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as order_item_id,
        _dlt_id as order_item_dlt_id,
        _dlt_parent_id as order_dlt_id,
        product_id,
        product_key,
        variant__id as variant_id,

        ---------- text
        variant__sku as sku,
        name as line_name,
        upper(total_price__currency_code) as currency,

        ---------- numerics (CentPrecisionMoney: centAmount / 10^fractionDigits)
        quantity,
        {{ cents_to_amount('price__value__cent_amount', 'price__value__fraction_digits') }} as unit_price,
        {{ cents_to_amount('price__discounted__value__cent_amount', 'price__discounted__value__fraction_digits') }} as discounted_unit_price,
        {{ cents_to_amount('total_price__cent_amount', 'total_price__fraction_digits') }} as line_total

    from source

)

select * from final
