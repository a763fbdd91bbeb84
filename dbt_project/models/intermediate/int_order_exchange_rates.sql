{{ config(indexes=[{'columns': ['order_key']}, {'columns': ['loaded_at']}]) }}
{#-
    The rate that converts each order's currency into the reporting currency (dbt var
    `reporting_currency`, default USD), from the seed `currency_rates` (units of a
    currency per US dollar, valid from a date). The rate used is the latest one valid
    on the order date, or the earliest known one for orders older than every rate.
    Every amount of an order (lines, refunds) uses the order's rate, so an order's
    net revenue is not moved by rate changes between sale and refund.
    An order in a currency missing from the seed gets no rate: its reporting amounts
    are NULL and `is_currency_unknown` flags it.
    Incremental: the changed orders only (macros/incremental.sql); after editing the
    rates, rebuild with --full-refresh (docs/analytics.md).
-#}

with

orders as (

    select order_key, platform, currency, ordered_at, loaded_at
    from {{ ref('int_orders_unioned') }} as orders
    where {{ incremental_slice(customers=false) }}

),

rates as (

    select
        upper(trim(currency_code)) as currency_code,
        valid_from,
        units_per_usd

    from {{ ref('currency_rates') }}
    where units_per_usd > 0

),

order_dates as (

    select
        order_key,
        platform,
        currency,
        upper('{{ var("reporting_currency", "USD") }}') as reporting_currency,
        coalesce(cast(ordered_at as date), cast({{ utc_now() }} as date)) as rate_date,
        loaded_at

    from orders

),

with_rates as (

    select
        order_dates.*,
        order_rate.units_per_usd as order_units_per_usd,
        reporting_rate.units_per_usd as reporting_units_per_usd

    from order_dates
    {{ join_rate_on_date('order_rate', 'order_dates.currency') }}
    {{ join_rate_on_date('reporting_rate', 'order_dates.reporting_currency') }}

),

final as (

    select
        order_key,
        platform,
        currency,
        reporting_currency,
        rate_date,
        case
            when currency = reporting_currency then 1
            else cast(reporting_units_per_usd / order_units_per_usd as {{ fraction_type() }})
        end as exchange_rate,
        (currency is distinct from reporting_currency)
        and (order_units_per_usd is null or reporting_units_per_usd is null) as is_currency_unknown,
        loaded_at

    from with_rates

)

select * from final
