with

source as (

    {{ typed_source('commercetools', 'orders', {
        'id': 'text',
        'version': 'integer',
        'order_number': 'text',
        'customer_id': 'text',
        'anonymous_id': 'text',
        'customer_email': 'text',
        'order_state': 'text',
        'payment_state': 'text',
        'shipment_state': 'text',
        'origin': 'text',
        'country': 'text',
        'locale': 'text',
        'store__key': 'text',
        'tax_mode': 'text',
        'billing_address__email': 'text',
        'billing_address__country': 'text',
        'total_price__currency_code': 'text',
        'total_price__cent_amount': 'bigint',
        'total_price__fraction_digits': 'integer',
        'taxed_price__total_net__cent_amount': 'bigint',
        'taxed_price__total_net__fraction_digits': 'integer',
        'taxed_price__total_gross__cent_amount': 'bigint',
        'taxed_price__total_gross__fraction_digits': 'integer',
        'taxed_price__total_tax__cent_amount': 'bigint',
        'taxed_price__total_tax__fraction_digits': 'integer',
        'shipping_info__shipping_method_name': 'text',
        'shipping_info__price__cent_amount': 'bigint',
        'shipping_info__price__fraction_digits': 'integer',
        'created_at': 'timestamp',
        'last_modified_at': 'timestamp',
        'completed_at': 'timestamp',
        '_dlt_id': 'text',
        '_dlt_load_id': 'text',
    }) }}

),

marked as (

    {{ mark_deleted('source', 'commercetools', 'orders') }}

),

final as (

    select
        ----------  ids
        id as order_id,
        _dlt_id as order_dlt_id,
        customer_id,
        anonymous_id,
        order_number,
        store__key as store_key,
        version,

        ---------- text
        customer_email,
        billing_address__email as billing_email,
        order_state,
        payment_state,
        shipment_state,
        origin,
        tax_mode,
        locale,
        upper(coalesce(billing_address__country, country)) as billing_country_code,
        upper(total_price__currency_code) as currency,
        shipping_info__shipping_method_name as shipping_method,

        ---------- money (CentPrecisionMoney: centAmount / 10^fractionDigits)
        -- totalPrice: lines + shipping, net or gross as the prices are; taxedPrice: net/gross/tax
        {{ cents_to_amount('total_price__cent_amount', 'total_price__fraction_digits') }} as total_price,
        {{ cents_to_amount('taxed_price__total_net__cent_amount', 'taxed_price__total_net__fraction_digits') }} as total_net,
        {{ cents_to_amount('taxed_price__total_gross__cent_amount', 'taxed_price__total_gross__fraction_digits') }} as total_gross,
        {{ cents_to_amount('taxed_price__total_tax__cent_amount', 'taxed_price__total_tax__fraction_digits') }} as tax_total,
        {{ cents_to_amount('shipping_info__price__cent_amount', 'shipping_info__price__fraction_digits') }} as shipping_total,

        ---------- timestamps (UTC)
        created_at,
        last_modified_at as updated_at,
        completed_at,

        ---------- deletes (macros/deleted_records.sql)
        {{ deletion_columns(dlt_loaded_at('_dlt_load_id')) }},

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from marked

)

select * from final
