with

source as (

    {{ typed_source('commercetools', 'orders__line_items', {
        'id': 'text',
        'product_id': 'text',
        'product_key': 'text',
        'name': commercetools_localized,
        'variant__id': 'text',
        'variant__sku': 'text',
        'quantity': 'integer',
        'price_mode': 'text',
        'line_item_mode': 'text',
        'price__value__currency_code': 'text',
        'price__value__cent_amount': 'bigint',
        'price__value__fraction_digits': 'integer',
        'total_price__currency_code': 'text',
        'total_price__cent_amount': 'bigint',
        'total_price__fraction_digits': 'integer',
        'taxed_price__total_net__cent_amount': 'bigint',
        'taxed_price__total_net__fraction_digits': 'integer',
        'taxed_price__total_gross__cent_amount': 'bigint',
        'taxed_price__total_gross__fraction_digits': 'integer',
        'added_at': 'timestamp',
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
        price_mode,
        line_item_mode,
        upper(coalesce(total_price__currency_code, price__value__currency_code)) as currency,

        ---------- numerics (CentPrecisionMoney: centAmount / 10^fractionDigits)
        quantity,
        {{ cents_to_amount('price__value__cent_amount', 'price__value__fraction_digits') }} as unit_price,
        -- totalPrice: after line discounts; net or gross as the prices are
        {{ cents_to_amount('total_price__cent_amount', 'total_price__fraction_digits') }} as line_total,
        {{ cents_to_amount('taxed_price__total_net__cent_amount', 'taxed_price__total_net__fraction_digits') }} as line_total_net,
        {{ cents_to_amount('taxed_price__total_gross__cent_amount', 'taxed_price__total_gross__fraction_digits') }} as line_total_gross,

        ---------- timestamps (UTC)
        added_at,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
