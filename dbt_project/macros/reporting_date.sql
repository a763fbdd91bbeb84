{#-
    The calendar date of a UTC timestamp in the reporting time zone (dbt var
    `reporting_timezone`, default UTC): the day daily metrics, RFM recency and
    as_of comparisons use.
-#}
{% macro reporting_date(utc_timestamp) -%}
    {%- set zone = var('reporting_timezone', 'UTC') -%}
    {%- if zone in ['UTC', 'utc', 'Etc/UTC'] -%}
        cast({{ utc_timestamp }} as date)
    {%- else -%}
        {{ utc_to_local_date(utc_timestamp, zone) }}
    {%- endif -%}
{%- endmacro %}
