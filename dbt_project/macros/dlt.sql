{#- When dlt loaded a row: `_dlt_load_id` is the load's Unix timestamp as text; returned as UTC timestamp. -#}
{% macro dlt_loaded_at(load_id_column) -%}
    {{ epoch_to_utc(load_id_column) }}
{%- endmacro %}


{#-
    ["schema"."table", ...]: the single source table read by the model the running test
    is attached to (tests/generic/dlt_row_id.sql), in every raw dataset of its platform
    (macros/typed_source.sql, raw_datasets); the default dataset's when there is none yet.
-#}
{% macro dlt_row_id_sources() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set parent = graph.nodes[model.attached_node] -%}
    {%- set reads = parent.depends_on.nodes -%}
    {%- if reads | length != 1 or not reads[0].startswith('source.') -%}
        {{ exceptions.raise_compiler_error(
            'dlt_row_id on ' ~ parent.name ~ ': the model must read exactly one source table (it reads '
            ~ (reads | join(', ') or 'nothing') ~ ')') }}
    {%- endif -%}
    {%- set source_node = graph.sources[reads[0]] -%}
    {%- set tables = [] -%}
    {%- for dataset in raw_datasets(source_node.schema) or [source_node.schema] -%}
        {%- do tables.append('"' ~ dataset ~ '"."' ~ source_node.identifier ~ '"') -%}
    {%- endfor -%}
    {{ return(tables) }}
{%- endmacro %}
