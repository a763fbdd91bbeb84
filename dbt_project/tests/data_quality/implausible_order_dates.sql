{#-
    Data quality (a warning, never a failure: docs/analytics.md): orders whose order date
    is implausible (macros/order_dates.sql), left out of int_orders_unioned and so of the
    marts and the CLV models. Their keys stay in data_quality.implausible_order_dates.
-#}
select
    order_key,
    platform,
    store,
    order_id,
    ordered_at,
    loaded_at

from {{ ref('int_orders_harmonized') }} as orders
where not {{ plausible_order_date('orders.ordered_at') }}
