{#-
    commercetools orders in the shared order contract (_int_platforms__models.yml).
    ordered_at: createdAt. status: orderState with the paymentState (a failed payment
    fails the order). order_total: totalPrice is net where tax is added on top of
    prices, so the charge is taxedPrice's gross. No order-level discount total.
-#}
with

orders as (

    select * from {{ ref('stg_commercetools__orders') }}

),

final as (

    select
        cast('commercetools' as {{ dbt.type_string() }}) as platform,
        store,
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
        coalesce(total_gross, total_price) as order_total,
        cast(total_price - coalesce(shipping_total, 0) as {{ money_type() }}) as subtotal,
        tax_total,
        shipping_total,
        cast(null as {{ money_type() }}) as discount_total,
        billing_country_code,
        is_deleted,
        deleted_at,
        loaded_at

    from orders

)

select * from final
