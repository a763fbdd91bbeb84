{#
    Incremental facts (orders, order_items, daily_metrics) are rebuilt slice by slice.

    The watermark of a platform is the newest raw load (dlt `_dlt_load_id` time) the
    fact already holds for it. A run reprocesses every order of that platform whose raw
    row was (re)loaded after `watermark - incremental_lookback_days`, and every order
    of a customer whose record was (re)loaded in that window (an e-mail change moves
    the order to another customer_key; the loaders only reload changed records). dlt merges a changed order - a status
    change, a late edit, a new refund - as a new row with a new load id, so late
    updates and refunds are picked up; the lookback also covers loads that committed
    out of order. A platform the fact does not hold yet is processed in full.

    Each model deletes the affected slice in a pre-hook and inserts it recomputed, in
    one transaction (see the models). The watermarks are read once per statement,
    before the delete, so the hook and the model body agree on the slice.
#}

{#- {platform: 'timestamp text'} of `max(column)` in this model's table (empty unless incremental). -#}
{% macro incremental_watermarks(column) -%}
    {%- set watermarks = {} -%}
    {%- if execute and is_incremental() -%}
        {%- set rows = run_query('select platform, cast(max(' ~ column ~ ') as text) from ' ~ this ~ ' group by platform') -%}
        {%- for row in rows -%}
            {%- if row[1] is not none -%}
                {%- do watermarks.update({row[0]: row[1]}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(watermarks) }}
{%- endmacro %}


{#-
    SQL predicate over an order relation (alias `orders`, columns platform, store,
    customer_id, loaded_at): true for the orders an incremental run must reprocess.
-#}
{% macro order_changed_since(watermarks, orders='orders') -%}
    {%- set lookback = "interval '" ~ (var('incremental_lookback_days', 3) | int) ~ " days'" -%}
    (
    {%- for platform, watermark in watermarks.items() %}
        (
            {{ orders }}.platform = '{{ platform }}'
            and (
                {{ orders }}.loaded_at > timestamp '{{ watermark }}' - {{ lookback }}
                or ({{ orders }}.store, {{ orders }}.customer_id) in (
                    {#- uncorrelated, so PostgreSQL hashes it once instead of running it for every order -#}
                    select changed_customers.store, changed_customers.customer_id
                    from {{ ref('int_customers_unioned') }} as changed_customers
                    where changed_customers.platform = '{{ platform }}'
                        and changed_customers.loaded_at > timestamp '{{ watermark }}' - {{ lookback }}
                )
            )
        ) or
    {%- endfor %}
        {{ orders }}.platform not in ('' {%- for platform in watermarks %}, '{{ platform }}'{% endfor %})
    )
{%- endmacro %}


{#-
    daily_metrics: the first date whose figures can differ after this run's changes,
    as a scalar subquery (NULL when nothing changed). A change to an order affects
    only its own order date and later dates: its refunds are dated on or after it,
    and whether a customer is new or returning on a day depends only on earlier
    orders. So an incremental run recomputes every date from this one on.
-#}
{% macro daily_recompute_from(watermarks) -%}
    (
        select min(affected_date)
        from (
            select {{ reporting_date('orders.ordered_at') }} as affected_date
            from {{ ref('int_orders_unioned') }} as orders
            where {{ order_changed_since(watermarks) }}

            union all

            select {{ reporting_date('refunds.refunded_at') }} as affected_date
            from {{ ref('int_refunds_unioned') }} as refunds
            inner join {{ ref('int_orders_unioned') }} as orders
                on orders.order_key = refunds.order_key
            where {{ order_changed_since(watermarks) }}
        ) as affected
    )
{%- endmacro %}


{#-
    Pre-hook of the order-grained incremental facts (orders, order_items): delete every
    row of the orders that changed since the watermark, so the model re-inserts them
    whole (a line removed from an order disappears too).
-#}
{% macro delete_changed_orders() -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where order_key in (
        select orders.order_key
        from {{ ref('int_orders_unioned') }} as orders
        where {{ order_changed_since(incremental_watermarks('loaded_at')) }}
    )
    {%- endif -%}
{%- endmacro %}
