{#
    The date RFM recency and simple CLV are measured to: the dbt var `as_of`
    ('YYYY-MM-DD'), or today's date in UTC when it is not set.
#}
{% macro as_of_date() -%}
    {%- set value = var('as_of', none) -%}
    {%- if value in [none, '', 'today'] -%}
        cast({{ utc_now() }} as date)
    {%- else -%}
        cast('{{ value | string | replace("'", "''") }}' as date)
    {%- endif -%}
{%- endmacro %}
