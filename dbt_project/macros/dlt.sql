{#- When dlt loaded a row: `_dlt_load_id` is the load's Unix timestamp as text; returned as UTC timestamp. -#}
{% macro dlt_loaded_at(load_id_column) -%}
    (to_timestamp(cast({{ load_id_column }} as numeric)) at time zone 'UTC')
{%- endmacro %}
