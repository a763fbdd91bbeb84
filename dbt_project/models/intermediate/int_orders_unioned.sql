{{
    config(
        indexes=[{'columns': ['order_key']}, {'columns': ['loaded_at']}, {'columns': ['platform', 'store', 'customer_id']}],
        post_hook="{{ analyze_after_incremental_run() }}"
    )
}}
{#-
    One row per order of every platform in one vocabulary (int_orders_harmonized, where
    the platform differences are settled), orders with an implausible order date left
    out: before the var `earliest_order_date` (1995-01-01) or more than
    `order_date_future_days` (1) ahead of now. Such a date is a store's data error; one
    order dated 2300 made the CLV fit fail and skipped every model after it. The
    data-quality test implausible_order_dates keeps those orders' keys in
    data_quality.implausible_order_dates and makes the run report a warning.

    Incremental (macros/incremental.sql): a run reads only the orders (re)loaded since
    the watermark, minus the lookback, and replaces them by order_key.
-#}

with

final as (

    select * from {{ ref('int_orders_harmonized') }} as orders
    where {{ plausible_order_date('orders.ordered_at') }}
        and {{ incremental_slice(customers=false) }}

)

-- the columns are int_orders_harmonized's, listed there
select * from final  -- noqa: AM04
