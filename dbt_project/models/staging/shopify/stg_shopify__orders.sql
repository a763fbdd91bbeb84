with

source as (

    {{ typed_source('shopify', 'orders', {
        'id': 'text',
        'legacy_resource_id': 'text',
        'name': 'text',
        'customer__id': 'text',
        'customer__legacy_resource_id': 'text',
        'email': 'text',
        'customer__default_email_address__email_address': 'text',
        'display_financial_status': 'text',
        'display_fulfillment_status': 'text',
        'cancel_reason': 'text',
        'source_name': 'text',
        'test': 'boolean',
        'currency_code': 'text',
        'presentment_currency_code': 'text',
        'total_price_set__shop_money__amount': 'numeric',
        'total_price_set__presentment_money__amount': 'numeric',
        'subtotal_price_set__shop_money__amount': 'numeric',
        'total_tax_set__shop_money__amount': 'numeric',
        'total_discounts_set__shop_money__amount': 'numeric',
        'total_shipping_price_set__shop_money__amount': 'numeric',
        'billing_address__country_code_v2': 'text',
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
        ----------  ids (Shopify's numeric ids; the raw `id` is the GID)
        {{ shopify_numeric_id('legacy_resource_id', 'id') }} as order_id,
        _dlt_id as order_dlt_id,
        {{ shopify_numeric_id('customer__legacy_resource_id', 'customer__id') }} as customer_id,
        name as order_name,
        -- the GraphQL Order has no order number apart from its name
        cast(null as {{ dbt.type_string() }}) as order_number,

        ---------- text (GraphQL enums in the REST API's lower-case words)
        email,
        customer__default_email_address__email_address as customer_email,
        lower(display_financial_status) as financial_status,
        case upper(display_fulfillment_status)
            when 'UNFULFILLED' then null
            when 'PARTIALLY_FULFILLED' then 'partial'
            else lower(display_fulfillment_status)
        end as fulfillment_status,
        lower(cancel_reason) as cancel_reason,
        source_name,
        upper(currency_code) as currency,
        upper(presentment_currency_code) as presentment_currency,
        upper(billing_address__country_code_v2) as billing_country_code,

        ---------- booleans
        coalesce(test, false) as is_test,

        ---------- money (shop currency)
        total_price_set__shop_money__amount as order_total,
        total_price_set__presentment_money__amount as order_total_presentment,
        subtotal_price_set__shop_money__amount as subtotal,
        -- the GraphQL Order has no line-items total before discounts
        cast(null as {{ money_type() }}) as line_items_total,
        total_tax_set__shop_money__amount as tax_total,
        total_discounts_set__shop_money__amount as discount_total,
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
