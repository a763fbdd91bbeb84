{{ config(indexes=[{'columns': ['order_key']}, {'columns': ['loaded_at']}]) }}
{#-
    Refunds with their order's context (flags, channel, customer) and converted at the
    order's rate. Incremental: all refunds of the changed orders are replaced.
-#}

with

orders as (

    select * from {{ ref('int_orders_unioned') }} as orders
    -- refunds are sparse: the watermark is int_orders_enriched's (macros/incremental.sql)
    where {{ incremental_slice(customers=false, watermarks_from='int_orders_enriched', replace_rows=true) }}
        and not orders.is_deleted  -- a deleted order's refunds leave with it (the pre-hook removes them)

),

refunds as (

    select * from {{ ref('int_refunds_unioned') }}
    where order_key in (select orders.order_key from orders)

),

exchange_rates as (

    select * from {{ ref('int_order_exchange_rates') }}
    where order_key in (select orders.order_key from orders)

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
