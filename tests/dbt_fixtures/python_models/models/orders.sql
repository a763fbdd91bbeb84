-- Batch 1: orders 1-3. Batch 2 (`--vars '{batch: 2}'`): orders 1-6, orders 1 and 2 updated.
{% set batch = var('batch', 1) | int %}
select
    g as order_id,
    (g % 3) + 1 as customer_id,
    case when {{ batch }} > 1 and g <= 2 then 'shipped' else 'placed' end as status,
    (g * 1.25)::numeric(12, 2) as amount,
    date '2024-01-01' + g as order_date,
    case when {{ batch }} > 1 and g <= 2 then timestamptz '2024-02-01 00:00:00+00'
         else timestamptz '2024-01-01 00:00:00+00' + g * interval '1 hour' end as updated_at
from generate_series(1, 3 * {{ batch }}) g
