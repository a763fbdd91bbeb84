{#-
    Shopify orders in the shared order contract (_int_platforms__models.yml).
    ordered_at: processed_at, the date Shopify reports sales on, else created_at.
    status: financial_status with the fulfillment, a cancelled order being cancelled.
-#}
with

orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

final as (

    select
        cast('shopify' as {{ dbt.type_string() }}) as platform,
        store,
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
        is_deleted,
        deleted_at,
        loaded_at

    from orders

)

select * from final
