{#- Refunds with their order's context (flags, channel, customer) and converted at the order's rate. -#}
with

refunds as (

    select * from {{ ref('int_refunds_unioned') }}

),

orders as (

    select * from {{ ref('int_orders_unioned') }}

),

exchange_rates as (

    select * from {{ ref('int_order_exchange_rates') }}

),

final as (

    select
        refunds.refund_key,
        refunds.order_key,
        orders.platform,
        orders.store,
        orders.order_id,
        refunds.refund_id,
        orders.source,
        refunds.refunded_at,
        orders.currency,
        refunds.refund_amount,
        exchange_rates.reporting_currency,
        exchange_rates.exchange_rate,
        {{ to_reporting('refunds.refund_amount', 'exchange_rates.exchange_rate') }} as refund_amount_reporting,
        exchange_rates.is_currency_unknown,
        orders.is_test,
        orders.is_cancelled,
        orders.loaded_at

    from refunds
    inner join orders
        on orders.order_key = refunds.order_key
    inner join exchange_rates
        on exchange_rates.order_key = refunds.order_key

)

select * from final
