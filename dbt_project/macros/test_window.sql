{#-
    Tests on the large order-grained models check the recently loaded rows: those loaded
    within `test_window_days` (var, default 3) of the model's newest load, i.e. what the
    nightly incremental run wrote; older rows were checked on the night they arrived.
    That keeps a nightly `dbt build` in proportion to the change instead of re-reading
    the whole history through ~100 tests. A model opts in with
    `config: {meta: {test_window_column: loaded_at}}` in its YAML;
    `--vars '{test_window_days: 0}'` tests every row (docs/operations.md: weekly, and
    after changing a model).

    dbt wraps the model of every generic test in get_where_subquery (its hook for the
    `where` test config); this version adds the window to any `where`.
-#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- if config.get('where') -%}
        {%- do conditions.append('(' ~ config.get('where') ~ ')') -%}
    {%- endif -%}
    {%- set column = test_window_column() -%}
    {%- if column and (var('test_window_days', 3) or 0) | int > 0 -%}
        {%- do conditions.append(recent_loads(relation, column)) -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}


{#- meta.test_window_column of the model the running generic test is attached to (none otherwise). -#}
{% macro test_window_column() -%}
    {%- if execute and model.attached_node and model.attached_node in graph.nodes -%}
        {%- do return(graph.nodes[model.attached_node].config.meta.get('test_window_column')) -%}
    {%- endif -%}
    {%- do return(none) -%}
{%- endmacro %}


{#-
    SQL condition: `column` within test_window_days of its newest value in `relation`
    (true when the var is 0). The bound is looked up first and written as a literal, so
    PostgreSQL sees how few rows it selects and reads them through the index on
    `column` (the windowed models have one) instead of scanning the table.
-#}
{% macro recent_loads(relation, column='loaded_at') -%}
    {%- set days = (var('test_window_days', 3) or 0) | int -%}
    {%- set newest = none -%}
    {#- compile / docs generate on an empty database: no table yet, nothing to look up -#}
    {%- if execute and days > 0 and load_relation(relation) is not none -%}
        {%- set newest = run_query('select cast(max(' ~ column ~ ') as ' ~ dbt.type_string() ~ ') from ' ~ relation).columns[0].values()[0] -%}
    {%- endif -%}
    {%- if newest is not none -%}
        {{ column }} >= timestamp '{{ newest }}' - interval '{{ days }} days'
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
