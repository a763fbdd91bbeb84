{# Use the configured schema name as-is (staging, intermediate, analytics, reference)
   instead of dbt's default "<target>_<custom>" so analysts query stable names. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ (custom_schema_name or target.schema) | trim }}
{%- endmacro %}
