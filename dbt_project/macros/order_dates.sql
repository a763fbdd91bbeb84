{#-
    SQL condition: the order date in `column` (timestamp, UTC) is plausible - not before
    the var `earliest_order_date` (default 1995-01-01: no online store sold earlier) and
    not more than `order_date_future_days` (default 1: clock skew) ahead of now. Anything
    else is a store's data error; int_orders_unioned leaves such orders out, so they
    never reach the marts or the CLV models, and the data-quality test
    implausible_order_dates lists them (docs/analytics.md, "Data quality").
-#}
{% macro plausible_order_date(column) -%}
    {%- set earliest = var('earliest_order_date', '1995-01-01') | string -%}
    {%- set future_days = var('order_date_future_days', 1) | string -%}
    {%- if not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', earliest) -%}
        {%- do exceptions.raise_compiler_error("var earliest_order_date must be a date 'YYYY-MM-DD', not " ~ earliest) -%}
    {%- endif -%}
    {%- if not modules.re.fullmatch('[0-9]{1,5}', future_days) -%}
        {%- do exceptions.raise_compiler_error("var order_date_future_days must be a whole number of days, not " ~ future_days) -%}
    {%- endif -%}
    ({{ column }} >= date '{{ earliest }}'
        and {{ column }} <= {{ utc_now() }} + interval '{{ future_days }} days')
{%- endmacro %}
