{{ config(materialized='view') }}
{#-
    One row per order of every platform in one vocabulary. Platform differences are
    settled here, each in its own CTE:
      * ordered_at: Shopify processed_at (the date Shopify reports sales on) falling
        back to created_at; WooCommerce date_created_gmt; commercetools createdAt.
        An order without any of these is dated by its last modification, else by
        when it was loaded, so it is never left out of a day.
      * status: the platform's status mapped to one set (see the model docs).
      * order_total: what the customer was charged (tax, shipping included).
      * subtotal: merchandise after discounts, before shipping - the basis the order
        lines add up to.
      * order_email: the e-mail on the order (Shopify email, WooCommerce billing
        email, commercetools customerEmail).

    Every order, whatever its date: int_orders_unioned keeps those with a plausible
    order date (macros/order_dates.sql), the data-quality test
    tests/data_quality/implausible_order_dates.sql reports the others. A view, so
    PostgreSQL reads it inline: int_orders_unioned's incremental filter reaches the
    staging views as before.
-#}
with

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

woocommerce_orders as (

    select * from {{ ref('stg_woocommerce__orders') }}

),

commercetools_orders as (

    select * from {{ ref('stg_commercetools__orders') }}

),

shopify as (

    select
        'shopify'::text as platform,
        {{ store_for('shopify') }} as store,
        order_id,
        order_dlt_id,
        coalesce(order_name, order_number, order_id) as order_number,
        customer_id,
        coalesce(email, customer_email) as order_email,
        coalesce(processed_at, created_at, updated_at, loaded_at) as ordered_at,
        updated_at,
        cancelled_at,
        financial_status as platform_status,
        case
            when cancelled_at is not null then 'cancelled'
            when financial_status = 'voided' then 'voided'
            when financial_status = 'refunded' then 'refunded'
            when financial_status in ('pending', 'authorized', 'partially_paid') then 'pending'
            when financial_status in ('paid', 'partially_refunded')
                then case when fulfillment_status = 'fulfilled' then 'completed' else 'processing' end
            else 'other'
        end as status,
        is_test,
        coalesce(lower(source_name), 'unknown') as source,
        currency,
        order_total,
        subtotal,
        tax_total,
        shipping_total,
        discount_total,
        billing_country_code,
        loaded_at

    from shopify_orders

),

woocommerce as (

    select
        'woocommerce'::text as platform,
        {{ store_for('woocommerce') }} as store,
        order_id,
        order_dlt_id,
        coalesce(order_number, order_id) as order_number,
        customer_id,
        billing_email as order_email,
        coalesce(created_at, updated_at, loaded_at) as ordered_at,
        updated_at,
        case when status in ('cancelled', 'trash') then updated_at end as cancelled_at,
        status as platform_status,
        case
            when status = 'completed' then 'completed'
            when status = 'processing' then 'processing'
            when status in ('pending', 'on-hold', 'checkout-draft') then 'pending'
            when status in ('cancelled', 'trash') then 'cancelled'
            when status = 'refunded' then 'refunded'
            when status = 'failed' then 'failed'
            else 'other'
        end as status,
        false as is_test,
        coalesce(created_via, 'unknown') as source,
        currency,
        order_total,
        order_total - coalesce(tax_total, 0) - coalesce(shipping_total, 0) as subtotal,
        tax_total,
        shipping_total,
        discount_total,
        billing_country_code,
        loaded_at

    from woocommerce_orders

),

commercetools as (

    select
        'commercetools'::text as platform,
        {{ store_for('commercetools') }} as store,
        order_id,
        order_dlt_id,
        coalesce(order_number, order_id) as order_number,
        customer_id,
        coalesce(customer_email, billing_email) as order_email,
        coalesce(created_at, updated_at, loaded_at) as ordered_at,
        updated_at,
        case when order_state = 'Cancelled' then updated_at end as cancelled_at,
        order_state as platform_status,
        case
            when order_state = 'Cancelled' then 'cancelled'
            when payment_state = 'Failed' then 'failed'
            when order_state = 'Complete' then 'completed'
            when payment_state in ('Pending', 'BalanceDue') then 'pending'
            when order_state in ('Open', 'Confirmed') then 'processing'
            else 'other'
        end as status,
        false as is_test,
        coalesce(lower(origin), 'unknown') as source,
        currency,
        -- totalPrice is net where tax is added on top of prices: the charge is the gross
        coalesce(total_gross, total_price) as order_total,
        total_price - coalesce(shipping_total, 0) as subtotal,
        tax_total,
        shipping_total,
        cast(null as numeric) as discount_total,
        billing_country_code,
        loaded_at

    from commercetools_orders

),

unioned as (

    select * from shopify
    union all
    select * from woocommerce
    union all
    select * from commercetools

),

final as (

    select
        {{ platform_key('platform', 'store', 'order_id') }} as order_key,
        *,
        status in ('cancelled', 'failed', 'voided') as is_cancelled

    from unioned

)

select * from final
