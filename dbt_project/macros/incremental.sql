{#
    The incremental models are rebuilt slice by slice: the order-grained intermediate
    models (int_orders_unioned, int_order_exchange_rates, int_refunds_unioned,
    int_refunds_enriched, int_orders_enriched, int_order_items_unioned,
    int_order_items_enriched) and the facts orders, order_items and daily_metrics.

    The watermark of a platform is the newest raw load (dlt `_dlt_load_id` time) the
    fact already holds for it. A run reprocesses every order of that platform whose raw
    row was (re)loaded after `watermark - incremental_lookback_days`, and every order
    of a customer whose record was (re)loaded in that window (an e-mail change moves
    the order to another customer_key; the loaders only reload changed records). dlt merges a changed order - a status
    change, a late edit, a new refund - as a new row with a new load id, so late
    updates and refunds are picked up; the lookback also covers loads that committed
    out of order. A platform the fact does not hold yet is processed in full.

    Each model inserts the slice recomputed with delete+insert on order_key (on date for
    daily_metrics); a model with any number of rows per order (lines, refunds) also
    deletes the slice in a pre-hook, so rows the recomputation no longer produces (a
    removed line) disappear, in the same transaction (see the models). The watermarks are read once per statement,
    before the delete, so the hook and the model body agree on the slice.

    Entry point: incremental_slice below, called once in the model's filter; it also
    sets the model's pre-hook from the same arguments. The shared configuration
    (materialized, unique_key, strategy, on_schema_change) is in dbt_project.yml.
#}

{#-
    SQL predicate over the model's order relation `orders` (columns order_key,
    platform, loaded_at): true for the orders this run must (re)process - every order on
    a full build. by='date' (daily_metrics): instead a date expression, the first date
    to recompute (earliest_date() on a full build), the watermark being last_loaded_at.

    customers: also the orders of customers (re)loaded in the window (see
    order_changed_since). watermarks_from: the model whose watermark counts (refunds
    are sparse: int_orders_enriched's). replace_rows: the model has any number of rows
    per order, so a pre-hook deletes the slice first. The pre-hook is set here, from
    the same arguments, so the rows deleted and the rows recomputed are the same
    orders. The models the slice is looked up in are referenced here at parse time
    (dbt orders the DAG by them; no `-- depends_on` in the models).
-#}
{% macro incremental_slice(by='order', orders='orders', customers=true, watermarks_from=none, replace_rows=false) -%}
    {%- if by == 'date' -%}
        {%- do ref('int_orders_unioned') -%}
        {%- do ref('int_refunds_unioned') -%}
        {%- do ref('int_customers_unioned') -%}
        {%- do config(pre_hook=["{{ delete_from_date() }}"]) -%}
        {{ return(daily_recompute_from(incremental_watermarks('last_loaded_at')) if is_incremental()
                  else earliest_date()) }}
    {%- endif -%}
    {%- if customers or replace_rows -%}
        {%- do ref('int_orders_unioned') -%}
    {%- endif -%}
    {%- if customers -%}
        {%- do ref('int_customers_unioned') -%}
    {%- endif -%}
    {%- if replace_rows -%}
        {%- do config(pre_hook=["{{ delete_changed_orders(customers=" ~ customers ~ ", watermarks_from="
                                ~ ("'" ~ watermarks_from ~ "'" if watermarks_from else 'none') ~ ") }}"]) -%}
    {%- endif -%}
    {%- if not is_incremental() -%}
        {{ return('true') }}
    {%- endif -%}
    {{ return(order_changed_since(incremental_watermarks('loaded_at', watermarks_from), orders, customers)) }}
{%- endmacro %}

{#-
    {platform: 'timestamp text'} of `max(column)` in this model's table (empty unless
    incremental), or in the table `from_model` of the same schema: a model with rows for
    a few orders only (refunds) reads the watermark of a dense model built after it in
    every run (int_orders_enriched), as its own newest row can be weeks old and would
    make every run reprocess weeks of orders. Without that table: empty (all orders).
-#}
{% macro incremental_watermarks(column, from_model=none) -%}
    {%- set watermarks = {} -%}
    {%- if execute and is_incremental() -%}
        {%- set relation = adapter.get_relation(this.database, this.schema, from_model) if from_model else this -%}
        {%- set rows = run_query('select platform, cast(max(' ~ column ~ ') as ' ~ dbt.type_string() ~ ') from ' ~ relation ~ ' group by platform')
                       if relation is not none else [] -%}
        {%- for row in rows -%}
            {%- if row[1] is not none -%}
                {%- do watermarks.update({row[0]: row[1]}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(watermarks) }}
{%- endmacro %}


{#-
    SQL predicate over an order relation (alias `orders`, columns order_key, platform,
    loaded_at): true for the orders an incremental run must reprocess.

    customers=true (default): `order_key in` the changed orders' keys, looked up in
    int_orders_unioned through its indexes (changed_order_keys), so PostgreSQL reads a
    large model's few changed rows by its order_key index; a predicate on the model's
    own columns with an OR for the changed customers made it scan every row.
    customers=false leaves out the orders of changed customers, for the models that
    carry nothing of the customer (lines, refunds, rates) and for int_orders_unioned
    itself (over the staging views): a plain range on loaded_at.
-#}
{% macro order_changed_since(watermarks, orders='orders', customers=true) -%}
    {%- if customers -%}
    {{ orders }}.order_key in (
        {{ changed_order_keys(watermarks) | indent(8) }}
    )
    {%- else -%}
    (
    {%- for platform, watermark in watermarks.items() %}
        (
            {{ orders }}.platform = '{{ platform }}'
            and {{ orders }}.loaded_at > {{ reprocess_since(watermark) }}
        ) or
    {%- endfor %}
        {{ orders }}.platform not in ('' {%- for platform in watermarks %}, '{{ platform }}'{% endfor %})
    )
    {%- endif -%}
{%- endmacro %}


{#-
    Query: order_key of every order an incremental run must reprocess, from
    int_orders_unioned - per platform, the orders (re)loaded after its watermark minus
    the lookback (index on loaded_at), the orders of customers (re)loaded in that window
    (index on platform, store, customer_id) and, for a platform without a watermark
    (not in the model yet), all of its orders (same index). `customers=false` leaves
    out the changed customers' orders.
-#}
{% macro changed_order_keys(watermarks, customers=true) -%}
    {%- for platform in platforms() %}
    {%- if platform in watermarks %}
    {%- set since = reprocess_since(watermarks[platform]) %}
    select changed_orders.order_key
    from {{ ref('int_orders_unioned') }} as changed_orders
    where changed_orders.platform = '{{ platform }}'
        and changed_orders.loaded_at > {{ since }}
    {%- if customers %}
    union all
    select customer_orders.order_key
    from {{ ref('int_orders_unioned') }} as customer_orders
    where customer_orders.platform = '{{ platform }}'
        and (customer_orders.store, customer_orders.customer_id) in (
            select changed_customers.store, changed_customers.customer_id
            from {{ ref('int_customers_unioned') }} as changed_customers
            where changed_customers.platform = '{{ platform }}'
                and changed_customers.loaded_at > {{ since }}
        )
    {%- endif %}
    {%- else %}
    select new_platform_orders.order_key
    from {{ ref('int_orders_unioned') }} as new_platform_orders
    where new_platform_orders.platform = '{{ platform }}'
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{#- SQL timestamp: rows (re)loaded after it are reprocessed - the watermark minus incremental_lookback_days. -#}
{% macro reprocess_since(watermark) -%}
    timestamp '{{ watermark }}' - interval '{{ var('incremental_lookback_days', 3) | int }} days'
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
    Pre-hook of the models with any number of rows per order (lines, refunds): delete
    every row of the orders that changed since the watermark, so the model re-inserts
    them whole (a line removed from an order disappears too). Set by incremental_slice.
-#}
{% macro delete_changed_orders(customers=true, watermarks_from=none) -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where order_key in (
        {{ changed_order_keys(incremental_watermarks('loaded_at', watermarks_from), customers=customers) | indent(8) }}
    )
    {%- endif -%}
{%- endmacro %}


{#-
    Post-hook of the models every incremental slice is taken from (int_orders_unioned,
    int_orders_enriched): refresh the planner's statistics after the run's rows went in.
    Without it PostgreSQL still believes the newest loads hold the few rows of the last
    ANALYZE, estimates one changed order where there are thousands, and picks nested
    loops that run for minutes. Sampling costs a fraction of a second.
-#}
{% macro analyze_after_incremental_run() -%}
    {%- if is_incremental() -%}
    {{ analyze_table(this) }}
    {%- endif -%}
{%- endmacro %}


{#- Pre-hook of daily_metrics: delete every date from the first one this run recomputes (set by incremental_slice). -#}
{% macro delete_from_date() -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where date >= {{ daily_recompute_from(incremental_watermarks('last_loaded_at')) }}
    {%- endif -%}
{%- endmacro %}
