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
    or, on a view that also joins other raw tables, naming the one it projects:
        data_tests: [{dlt_row_id: {arguments: {source_table: orders__refunds}}}]
-#}
{% test dlt_row_id(model, column_name, source_table=none) %}
{{ adapter.dispatch('dlt_row_id_problems')(model, column_name, source_table) }}
{% endtest %}
