{#-
    One row per day, platform, store and sales channel (source) with activity: orders
    placed that day and/or refunds dated that day, in the reporting currency.
    Incremental: every date from the first one touched by a changed order is deleted
    and recomputed (macros/incremental.sql, incremental_slice by date).
-#}

with

{# only the columns used: the orders are read three times, and PostgreSQL materialises
   a CTE used more than once (all 40-odd columns of a million orders went to disk) #}
orders as (

    select
        ordered_date,
        platform,
        store,
        source,
        customer_key,
        is_cancelled,
        revenue_reporting,
        units,
        is_currency_unknown,
        loaded_at

    from {{ ref('orders') }}

),

refunds as (

    select * from {{ ref('int_refunds_enriched') }}

),

scope as (

    select {{ incremental_slice(by='date') }} as from_date

),

counted_orders as (

    select * from orders
    where not is_cancelled

),

first_order_dates as (

    select
        customer_key,
        min(ordered_date) as first_order_date

    from counted_orders
    where customer_key is not null
    group by customer_key

),

order_activity as (

    select
        counted_orders.ordered_date as date,
        counted_orders.platform,
        counted_orders.store,
        counted_orders.source,
        1 as orders,
        0 as cancelled_orders,
        counted_orders.revenue_reporting as revenue,
        0 as refunds,
        counted_orders.units,
        case when first_order_dates.first_order_date = counted_orders.ordered_date
            then counted_orders.customer_key end as new_customer_key,
        case when first_order_dates.first_order_date < counted_orders.ordered_date
            then counted_orders.customer_key end as returning_customer_key,
        case when counted_orders.is_currency_unknown then 1 else 0 end as unconverted_orders,
        counted_orders.loaded_at

    from counted_orders
    left join first_order_dates
        on first_order_dates.customer_key = counted_orders.customer_key
    where counted_orders.ordered_date >= (select scope.from_date from scope)

),

cancelled_activity as (

    select
        ordered_date as date,
        platform,
        store,
        source,
        0 as orders,
        1 as cancelled_orders,
        0 as revenue,
        0 as refunds,
        0 as units,
        cast(null as {{ dbt.type_string() }}) as new_customer_key,
        cast(null as {{ dbt.type_string() }}) as returning_customer_key,
        0 as unconverted_orders,
        loaded_at

    from orders
    where is_cancelled
        and ordered_date >= (select scope.from_date from scope)

),

refund_activity as (

    select
        {{ reporting_date('refunded_at') }} as date,
        platform,
        store,
        source,
        0 as orders,
        0 as cancelled_orders,
        0 as revenue,
        refund_amount_reporting as refunds,
        0 as units,
        cast(null as {{ dbt.type_string() }}) as new_customer_key,
        cast(null as {{ dbt.type_string() }}) as returning_customer_key,
        0 as unconverted_orders,
        loaded_at

    from refunds
    where not is_test
        and not is_cancelled
        and {{ reporting_date('refunded_at') }} >= (select scope.from_date from scope)

),

activity as (

    select * from order_activity
    union all
    select * from cancelled_activity
    union all
    select * from refund_activity

),

aggregated as (

    select
        date,
        platform,
        store,
        source,
        sum(orders) as orders,
        sum(cancelled_orders) as cancelled_orders,
        coalesce(sum(revenue), 0) as revenue,
        coalesce(sum(refunds), 0) as refunds,
        sum(units) as units,
        count(distinct new_customer_key) as new_customers,
        count(distinct returning_customer_key) as returning_customers,
        sum(unconverted_orders) as unconverted_orders,
        max(loaded_at) as last_loaded_at

    from activity
    group by date, platform, store, source

),

final as (

    select
        date,
        platform,
        store,
        source,
        upper('{{ var("reporting_currency", "USD") }}') as reporting_currency,
        cast(orders as integer) as orders,
        cast(cancelled_orders as integer) as cancelled_orders,
        revenue,
        refunds,
        revenue - refunds as net_revenue,
        cast(round({{ exact_divide('revenue', 'nullif(orders, 0)') }}, 2) as {{ money_type() }}) as average_order_value,
        cast(units as bigint) as units,
        cast(new_customers as integer) as new_customers,
        cast(returning_customers as integer) as returning_customers,
        cast(unconverted_orders as integer) as unconverted_orders,
        last_loaded_at

    from aggregated

)

select * from final
