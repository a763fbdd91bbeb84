{#- When dlt loaded a row: `_dlt_load_id` is the load's Unix timestamp as text; returned as UTC timestamp. -#}
{% macro dlt_loaded_at(load_id_column) -%}
    {{ epoch_to_utc(load_id_column) }}
{%- endmacro %}


{#-
    ["schema"."table", ...]: the single source table read by the model the running test
    is attached to (besides deleted_records) (tests/generic/dlt_row_id.sql), in every raw dataset of its platform
    (macros/typed_source.sql, raw_datasets); the default dataset's when there is none yet.
    `source_table`: the source table (by name) whose rows the model projects, when it also
    joins others (a Shopify child row's parent, tags).
-#}
{% macro dlt_row_id_sources(source_table=none) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set parent = graph.nodes[model.attached_node] -%}
    {#- deleted_records: the delete marks joined to an entity (macros/deleted_records.sql), not its rows -#}
    {%- set reads = [] -%}
    {%- for node in parent.depends_on.nodes if not node.endswith('.deleted_records') -%}
        {%- if source_table is none or (node in graph.sources and graph.sources[node].name == source_table) -%}
            {%- do reads.append(node) -%}
        {%- endif -%}
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


{#- The failing rows of the dlt_row_id test (tests/generic/dlt_row_id.sql), per engine. -#}
{#- Engines without PostgreSQL's catalog (DuckDB, Spark): unique and not null, checked on the rows. -#}
{% macro default__dlt_row_id_problems(model, column_name, source_table=none) %}

select {{ column_name }}, count(*) as rows_with_it
from {{ model }}
group by {{ column_name }}
having {{ column_name }} is null or count(*) > 1

{% endmacro %}


{% macro postgres__dlt_row_id_problems(model, column_name, source_table=none) %}

with

raw_tables as (

    select raw_table, to_regclass(raw_table) as oid
    from unnest(array[
        {%- for raw in dlt_row_id_sources(source_table) %}
        '{{ raw }}'{{ ',' if not loop.last }}
        {%- endfor %}
    ]::text []) as raw_tables (raw_table)

),

row_ids as (

    select
        raw_tables.raw_table,
        pg_attribute.attnum,
        pg_attribute.attnotnull
    from raw_tables
    inner join pg_attribute
        on pg_attribute.attrelid = raw_tables.oid
        and pg_attribute.attname = '_dlt_id'
        and not pg_attribute.attisdropped

),

unique_indexes as (

    select row_ids.raw_table
    from row_ids
    inner join pg_index
        on pg_index.indrelid = to_regclass(row_ids.raw_table)
        and pg_index.indisunique
        and pg_index.indisvalid
        and pg_index.indpred is null
        and pg_index.indnkeyatts = 1
        and pg_index.indkey[0] = row_ids.attnum

),

problems as (

    select raw_table, 'no _dlt_id column' as problem
    from raw_tables
    where oid is not null
        and raw_table not in (select row_ids.raw_table from row_ids)

    union all

    select raw_table, '_dlt_id is not NOT NULL'
    from row_ids
    where not attnotnull

    union all

    select raw_table, 'no unique index on _dlt_id'
    from row_ids
    where raw_table not in (select unique_indexes.raw_table from unique_indexes)

),

final as (

    select
        raw_table,
        '{{ column_name }}' as column_name,
        problem
    from problems

)

select * from final

{% endmacro %}
