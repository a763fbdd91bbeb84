{{ config(materialized='view') }}
{#-
    One row per order of every platform in one vocabulary: the rows of every
    int_<platform>__orders model (models/intermediate/platforms/), where each platform's
    differences are settled (order date, status mapping, order total, subtotal, order
    e-mail), with the order key and the cancelled flag.

    Every order, whatever its date: int_orders_unioned keeps those with a plausible
    order date (macros/order_dates.sql), the data-quality test
    tests/data_quality/implausible_order_dates.sql reports the others. A view, so
    PostgreSQL reads it inline: int_orders_unioned's incremental filter reaches the
    staging views as before.
-#}
-- the columns are the platform models' contract (_int_platforms__models.yml)
select
    {{ platform_key('platform', 'store', 'order_id') }} as order_key,
    *,  -- noqa: AM04
    status in ('cancelled', 'failed', 'voided') as is_cancelled
from (
    {{ union_platforms('orders') }}
) as unioned
