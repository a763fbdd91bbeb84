{#-
    WooCommerce orders in the shared order contract (_int_platforms__models.yml).
    ordered_at: date_created_gmt. A cancelled or trashed order was cancelled at its last
    modification. subtotal: the total less tax and shipping (the order carries no
    subtotal after discounts).
-#}
with

orders as (

    select * from {{ ref('stg_woocommerce__orders') }}

),

final as (

    select
        cast('woocommerce' as {{ dbt.type_string() }}) as platform,
        store,
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
        cast(order_total - coalesce(tax_total, 0) - coalesce(shipping_total, 0) as {{ money_type() }}) as subtotal,
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
