{{ config(materialized='view') }}
{#-
    The purchase history the CLV models fit: one row per revenue-bearing order of a
    known customer. Test and cancelled orders carry no purchase; refunds are netted
    (never below zero); orders in an unknown currency have no reporting amount and
    are left out rather than counted as free purchases.
-#}
with

orders as (

    select * from {{ ref('int_orders_enriched') }}

),

purchases as (

    select
        customer_key,
        ordered_at,
        greatest(net_revenue_reporting, 0) as amount

    from orders
    where not is_test
        and not is_cancelled
        and customer_key is not null
        and net_revenue_reporting is not null

),

final as (

    select * from purchases

)

select * from final
