{#-
    Money identity: daily_metrics agrees with orders. Per day, platform, store and
    channel, `orders` and `revenue` are the count and revenue of the counted orders
    placed that day; over all days, net revenue equals the orders' net revenue
    (refunds dated on their own day, but the same refunds).
-#}
with

daily as (

    select * from {{ ref('daily_metrics') }}

),

orders as (

    select * from {{ ref('orders') }}
    where not is_cancelled

),

orders_per_day as (

    select
        ordered_date as date,
        platform,
        store,
        source,
        count(*) as orders,
        coalesce(sum(revenue_reporting), 0) as revenue

    from orders
    group by ordered_date, platform, store, source

),

daily_orders as (

    select
        date,
        platform,
        store,
        source,
        orders,
        revenue

    from daily
    where orders > 0 or revenue <> 0

),

per_day_mismatches as (

    select
        coalesce(daily_orders.date, orders_per_day.date) as date,
        coalesce(daily_orders.platform, orders_per_day.platform) as platform,
        'revenue or orders of the day' as check_name,
        daily_orders.revenue as daily_value,
        orders_per_day.revenue as orders_value

    from daily_orders
    full outer join orders_per_day
        on orders_per_day.date = daily_orders.date
        and orders_per_day.platform = daily_orders.platform
        and orders_per_day.store = daily_orders.store
        and orders_per_day.source = daily_orders.source
    where daily_orders.revenue is distinct from orders_per_day.revenue
        or daily_orders.orders is distinct from orders_per_day.orders

),

net_totals as (

    select
        cast(null as date) as date,
        platforms.platform,
        'net revenue over all days' as check_name,
        (
            select coalesce(sum(daily.net_revenue), 0) from daily
            where daily.platform = platforms.platform
        ) as daily_value,
        (
            select coalesce(sum(orders.net_revenue_reporting), 0) from orders
            where orders.platform = platforms.platform
        ) as orders_value

    from (
        select distinct platform from daily
        union
        select distinct platform from orders
    ) as platforms

),

final as (

    select * from per_day_mismatches
    union all
    select * from net_totals
    where daily_value <> orders_value

)

select * from final
