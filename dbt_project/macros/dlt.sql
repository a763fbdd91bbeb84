{#- When dlt loaded a row: `_dlt_load_id` is the load's Unix timestamp as text; returned as UTC timestamp. -#}
{% macro dlt_loaded_at(load_id_column) -%}
    (to_timestamp(cast({{ load_id_column }} as numeric)) at time zone 'UTC')
{%- endmacro %}


{#- "schema"."table" of the single source read by the model the running test is attached to (tests/generic/dlt_row_id.sql). -#}
{% macro dlt_row_id_source() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set parent = graph.nodes[model.attached_node] -%}
    {%- set reads = parent.depends_on.nodes -%}
    {%- if reads | length != 1 or not reads[0].startswith('source.') -%}
        {{ exceptions.raise_compiler_error(
            'dlt_row_id on ' ~ parent.name ~ ': the model must read exactly one source table (it reads '
            ~ (reads | join(', ') or 'nothing') ~ ')') }}
    {%- endif -%}
    {%- set source_node = graph.sources[reads[0]] -%}
    {{ return('"' ~ source_node.schema ~ '"."' ~ source_node.identifier ~ '"') }}
{%- endmacro %}
