{#-
  `incremental` for pypostgres. SQL models use dbt's default incremental
  materialization unchanged (as dbt-postgres does). Python models:
  - no table yet: the model writes the target directly;
  - full refresh (or the target is a view): the model writes the intermediate
    relation, which is swapped in by renames;
  - otherwise: the model writes a temporary table (ON COMMIT DROP), and the
    configured incremental_strategy (append, delete+insert, merge;
    default as on dbt-postgres: delete+insert with a unique_key, else append)
    moves its rows into the target, after on_schema_change is applied.
  All of it, and the grants and docs, is one transaction with one COMMIT.
-#}
{% materialization incremental, adapter='pypostgres', supported_languages=['sql', 'python'] -%}
  {%- if model.language != 'python' -%}
    {{ return(materialization_incremental_default()) }}
  {%- endif -%}

  {%- set existing_relation = load_cached_relation(this) -%}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set temp_relation = make_temp_relation(target_relation) -%}
  {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
  {%- set backup_relation_type = 'table' if existing_relation is none else existing_relation.type -%}
  {%- set backup_relation = make_backup_relation(target_relation, backup_relation_type) -%}

  {%- set unique_key = config.get('unique_key') -%}
  {%- set full_refresh_mode = (should_full_refresh() or existing_relation.is_view) -%}
  {%- set on_schema_change = incremental_validate_on_schema_change(config.get('on_schema_change'), default='ignore') -%}

  {%- set preexisting_intermediate_relation = load_cached_relation(intermediate_relation) -%}
  {%- set preexisting_backup_relation = load_cached_relation(backup_relation) -%}
  {%- set grant_config = config.get('grants') -%}
  {{ drop_relation_if_exists(preexisting_intermediate_relation) }}
  {{ drop_relation_if_exists(preexisting_backup_relation) }}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}
  -- `BEGIN` happens here:
  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {%- set to_drop = [] -%}
  {%- set incremental_strategy = config.get('incremental_strategy') or 'default' -%}
  {%- set strategy_sql_macro_func = adapter.get_incremental_strategy_macro(context, incremental_strategy) -%}

  {%- set need_swap = false -%}
  {%- if existing_relation is none -%}
    {%- set build_relation, build_temporary = target_relation, false -%}
  {%- elif full_refresh_mode -%}
    {%- set build_relation, build_temporary, need_swap = intermediate_relation, false, true -%}
  {%- else -%}
    {%- set build_relation, build_temporary = temp_relation, true -%}
  {%- endif %}

  {% call statement('main', language='python') -%}
    {{- py_write_table(compiled_code=compiled_code, target_relation=build_relation, temporary=build_temporary,
                       like_relation=(existing_relation if build_temporary else none)) -}}
  {%- endcall %}

  {% if build_temporary %}
    {% set contract_config = config.get('contract') %}
    {% if not contract_config or not contract_config.enforced %}
      {% do adapter.expand_target_column_types(from_relation=temp_relation, to_relation=target_relation) %}
    {% endif %}
    {% set dest_columns = process_schema_changes(on_schema_change, temp_relation, existing_relation) %}
    {% if not dest_columns %}
      {% set dest_columns = adapter.get_columns_in_relation(existing_relation) %}
    {% endif %}
    {% set incremental_predicates = config.get('predicates', none) or config.get('incremental_predicates', none) %}
    {% set strategy_arg_dict = ({'target_relation': target_relation, 'temp_relation': temp_relation, 'unique_key': unique_key, 'dest_columns': dest_columns, 'incremental_predicates': incremental_predicates }) %}
    {% call statement('incremental_merge') %}
      {{ strategy_sql_macro_func(strategy_arg_dict) }}
    {% endcall %}
    {% do store_result('main', response=load_result('incremental_merge').response) %}
  {% else %}
    {% do create_indexes(build_relation) %}
  {% endif %}

  {% if need_swap %}
    {% do adapter.rename_relation(target_relation, backup_relation) %}
    {% do adapter.rename_relation(intermediate_relation, target_relation) %}
    {% do to_drop.append(backup_relation) %}
  {% endif %}

  {% set should_revoke = should_revoke(existing_relation, full_refresh_mode) %}
  {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}
  {% do persist_docs(target_relation, model) %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}

  -- `COMMIT` happens here
  {% do adapter.commit() %}

  {% for rel in to_drop %}
    {% do adapter.drop_relation(rel) %}
  {% endfor %}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}
{%- endmaterialization %}
