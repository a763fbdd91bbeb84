{#- When dlt loaded a row: `_dlt_load_id` is the load's Unix timestamp as text; returned as UTC timestamp. -#}
{% macro dlt_loaded_at(load_id_column) -%}
    (to_timestamp(cast({{ load_id_column }} as numeric)) at time zone 'UTC')
{%- endmacro %}


{#-
    ["schema"."table", ...]: the single source table read by the model the running test
    is attached to (besides deleted_records) (tests/generic/dlt_row_id.sql), in every raw dataset of its platform
    (macros/typed_source.sql, raw_datasets); the default dataset's when there is none yet.
-#}
{% macro dlt_row_id_sources() -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set parent = graph.nodes[model.attached_node] -%}
    {#- deleted_records: the delete marks joined to an entity (macros/deleted_records.sql), not its rows -#}
    {%- set reads = [] -%}
    {%- for node in parent.depends_on.nodes if not node.endswith('.deleted_records') -%}
        {%- do reads.append(node) -%}
    {%- endfor -%}
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
