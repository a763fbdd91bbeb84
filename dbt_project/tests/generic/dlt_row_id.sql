{#-
    The column is dlt's row id (`_dlt_id`) of the one raw table the staging view
    projects (in each store's raw dataset), so it is unique and never NULL in each if
    PostgreSQL enforces that on the raw table: dlt creates `_dlt_id` NOT NULL with a UNIQUE index. This test checks that
    constraint in the catalog instead of scanning every row with `unique` and
    `not_null`, which re-proved it on every nightly run (the 41 staging row ids were
    a third of a nightly build's test time at a million orders; bench/RESULTS.md).
    It fails, one row per problem, when the raw table lacks the NOT NULL or the
    unique index; a raw table not loaded yet (the view is empty) passes. Usage, on
    the staging column that renames `_dlt_id`:
        data_tests: [dlt_row_id]
-#}
{% test dlt_row_id(model, column_name) %}

with

raw_tables as (

    select raw_table, to_regclass(raw_table) as oid
    from unnest(array[
        {%- for raw in dlt_row_id_sources() %}
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

{% endtest %}
