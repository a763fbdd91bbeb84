{#-
    One row per customer (customer_key) with at least one counted order - not
    cancelled/failed/voided, not a test - placed on or before the `as_of` date:
    RFM scores and segment, simple CLV. Rebuilt in full on every run.

    * recency_days = as_of - date of the last counted order; frequency = counted
      orders; monetary = net spend (order totals minus refunds, reporting currency).
    * Scores 1-5 by quintile with ties sharing a score: score = 1 + floor(5 x
      percent_rank), computed exactly in integers as 1 + 5 (rank - 1) div (n - 1),
      capped at 5. Recency ranks from oldest to newest, so recent buyers score high.
    * rfm_segment: the first rule of the seed `rfm_segments` (lowest priority) whose
      score ranges contain the customer's scores.
    * simple_clv = average_order_value x purchase_frequency x expected lifespan, where
      average_order_value = net_spend / orders_count, purchase_frequency = orders per
      year observed since the first order (observation period floored at the var
      `clv_min_tenure_days`), lifespan = var `clv_expected_lifespan_years`.
-#}
with

orders as (

    select * from {{ ref('orders') }}

),

customers as (

    select customer_key, platform, store from {{ ref('customers') }}

),

segments as (

    select * from {{ ref('rfm_segments') }}

),

predictions as (

    select customer_key, predicted_clv, churn_probability, clv_status
    from {{ ref('customer_predictions') }}

),

as_of as (

    select {{ as_of_date() }} as as_of_date

),

counted_orders as (

    select orders.*
    from orders
    cross join as_of
    where not orders.is_cancelled
        and orders.customer_key is not null
        and orders.ordered_date <= as_of.as_of_date

),

per_customer as (

    select
        customer_key,
        min(ordered_at) as first_order_at,
        max(ordered_at) as last_order_at,
        min(ordered_date) as first_order_date,
        max(ordered_date) as last_order_date,
        count(*) as orders_count,
        coalesce(sum(revenue_reporting), 0) as gross_spend,
        coalesce(sum(refunded_reporting), 0) as refunded,
        coalesce(sum(net_revenue_reporting), 0) as net_spend,
        bool_or(is_currency_unknown) as has_unconverted_orders

    from counted_orders
    group by customer_key

),

measured as (

    select
        per_customer.*,
        as_of.as_of_date,
        {{ days_between('as_of.as_of_date', 'per_customer.last_order_date') }} as recency_days,
        {{ days_between('as_of.as_of_date', 'per_customer.first_order_date') }} as tenure_days

    from per_customer
    cross join as_of

),

ranked as (

    select
        *,
        rank() over (order by recency_days desc) as recency_rank,
        rank() over (order by orders_count asc) as frequency_rank,
        rank() over (order by net_spend asc) as monetary_rank,
        count(*) over () as customers_scored

    from measured

),

scored as (

    select
        *,
        {{ quintile_score('recency_rank', 'customers_scored') }} as r_score,
        {{ quintile_score('frequency_rank', 'customers_scored') }} as f_score,
        {{ quintile_score('monetary_rank', 'customers_scored') }} as m_score

    from ranked

),

segment_matches as (

    select
        scored.customer_key,
        segments.segment,
        row_number() over (
            partition by scored.customer_key
            order by segments.priority, segments.segment
        ) as match_order

    from scored
    inner join segments
        on scored.r_score between coalesce(segments.r_min, 1) and coalesce(segments.r_max, 5)
        and scored.f_score between coalesce(segments.f_min, 1) and coalesce(segments.f_max, 5)
        and scored.m_score between coalesce(segments.m_min, 1) and coalesce(segments.m_max, 5)

),

first_segment as (

    select customer_key, segment
    from segment_matches
    where match_order = 1

),

clv as (

    select
        customer_key,
        cast(round({{ exact_divide('net_spend', 'orders_count') }}, 2) as {{ money_type() }}) as average_order_value,
        round(
            {{ exact_divide('orders_count * 365.0', 'greatest(tenure_days, ' ~ (var('clv_min_tenure_days', 365) | int) ~ ', 1)') }},
            4
        ) as purchase_frequency

    from scored

),

final as (

    select
        scored.customer_key,
        customers.platform,
        customers.store,
        scored.first_order_at,
        scored.last_order_at,
        cast(scored.orders_count as integer) as orders_count,
        scored.gross_spend,
        scored.refunded,
        scored.net_spend,
        clv.average_order_value,
        scored.as_of_date,
        scored.recency_days,
        scored.tenure_days,
        cast(scored.r_score as integer) as r_score,
        cast(scored.f_score as integer) as f_score,
        cast(scored.m_score as integer) as m_score,
        cast(scored.r_score as {{ dbt.type_string() }}) || cast(scored.f_score as {{ dbt.type_string() }}) || cast(scored.m_score as {{ dbt.type_string() }}) as rfm_score,
        first_segment.segment as rfm_segment,
        clv.purchase_frequency,
        cast({{ var('clv_expected_lifespan_years', 3) }} as numeric) as expected_lifespan_years,
        round(
            clv.average_order_value * clv.purchase_frequency
            * cast({{ var('clv_expected_lifespan_years', 3) }} as numeric),
            2
        ) as simple_clv,
        scored.has_unconverted_orders,
        upper('{{ var("reporting_currency", "USD") }}') as reporting_currency,

        -- Predictive CLV and churn: the Python model customer_predictions
        -- (Pareto/NBD + Gamma-Gamma by default, fitted on int_clv_transactions).
        cast(predictions.predicted_clv as {{ fraction_type() }}) as predicted_clv,
        cast(predictions.churn_probability as {{ fraction_type() }}) as churn_probability,
        predictions.clv_status

    from scored
    inner join clv
        on clv.customer_key = scored.customer_key
    left join customers
        on customers.customer_key = scored.customer_key
    left join first_segment
        on first_segment.customer_key = scored.customer_key
    left join predictions
        on predictions.customer_key = scored.customer_key

)

select * from final
