{#-
    The column is dlt's row id (`_dlt_id`) of the one raw table the staging view
    projects, so it is unique and never NULL if PostgreSQL enforces that on the raw
    table: dlt creates `_dlt_id` NOT NULL with a UNIQUE index. This test checks that
    constraint in the catalog instead of scanning every row with `unique` and
    `not_null`, which re-proved it on every nightly run (the 41 staging row ids were
    a third of a nightly build's test time at a million orders; bench/RESULTS.md).
    It fails, one row per problem, when the raw table lacks the NOT NULL or the
    unique index; a raw table not loaded yet (the view is empty) passes. Usage, on
    the staging column that renames `_dlt_id`:
        data_tests: [dlt_row_id]
-#}
{% test dlt_row_id(model, column_name) %}

{%- set raw = dlt_row_id_source() %}

with

raw_table as (

    select to_regclass('{{ raw }}') as oid

),

row_id as (

    select attnum, attnotnull
    from pg_attribute
    where attrelid = (select oid from raw_table)
        and attname = '_dlt_id'
        and not attisdropped

),

unique_indexes as (

    select indexrelid
    from pg_index
    where indrelid = (select oid from raw_table)
        and indisunique
        and indisvalid
        and indpred is null
        and indnkeyatts = 1
        and indkey[0] = (select attnum from row_id)

),

problems as (

    select 'no _dlt_id column' as problem
    where not exists (select 1 from row_id)

    union all

    select '_dlt_id is not NOT NULL'
    where exists (select 1 from row_id where not attnotnull)

    union all

    select 'no unique index on _dlt_id'
    where exists (select 1 from row_id)
        and not exists (select 1 from unique_indexes)

),

final as (

    select
        '{{ raw }}' as raw_table,
        '{{ column_name }}' as column_name,
        problem
    from problems
    where (select oid from raw_table) is not null

)

select * from final

{% endtest %}
