with

source as (

    {{ typed_source('shopify', 'orders', {
        'id': 'text',
        'name': 'text',
        'order_number': 'text',
        'customer__id': 'text',
        'email': 'text',
        'customer__email': 'text',
        'financial_status': 'text',
        'fulfillment_status': 'text',
        'cancel_reason': 'text',
        'source_name': 'text',
        'test': 'boolean',
        'currency': 'text',
        'presentment_currency': 'text',
        'total_price': 'numeric',
        'total_price_set__presentment_money__amount': 'numeric',
        'subtotal_price': 'numeric',
        'total_line_items_price': 'numeric',
        'total_tax': 'numeric',
        'total_discounts': 'numeric',
        'total_shipping_price_set__shop_money__amount': 'numeric',
        'billing_address__country_code': 'text',
        'created_at': 'timestamp',
        'processed_at': 'timestamp',
        'updated_at': 'timestamp',
        'cancelled_at': 'timestamp',
        'closed_at': 'timestamp',
        '_dlt_id': 'text',
        '_dlt_load_id': 'text',
    }) }}

),

marked as (

    {{ mark_deleted('source', 'shopify', 'orders') }}

),

final as (

    select
        ----------  ids
        id as order_id,
        _dlt_id as order_dlt_id,
        customer__id as customer_id,
        name as order_name,
        order_number,

        ---------- text
        email,
        customer__email as customer_email,
        financial_status,
        fulfillment_status,
        cancel_reason,
        source_name,
        upper(currency) as currency,
        upper(presentment_currency) as presentment_currency,
        upper(billing_address__country_code) as billing_country_code,

        ---------- booleans
        coalesce(test, false) as is_test,

        ---------- money (shop currency)
        total_price as order_total,
        total_price_set__presentment_money__amount as order_total_presentment,
        subtotal_price as subtotal,
        total_line_items_price as line_items_total,
        total_tax as tax_total,
        total_discounts as discount_total,
        total_shipping_price_set__shop_money__amount as shipping_total,

        ---------- timestamps (UTC)
        created_at,
        processed_at,
        updated_at,
        cancelled_at,
        closed_at,

        ---------- deletes (macros/deleted_records.sql)
        {{ deletion_columns(dlt_loaded_at('_dlt_load_id')) }},

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from marked

)

select * from final
