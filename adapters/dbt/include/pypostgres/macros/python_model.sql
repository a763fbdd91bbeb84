{#-
  The Python path of pypostgres' materializations. The text below is appended to
  the compiled model code (which already defines model(), dbtObj, ref/source/config/this)
  and is executed in-process by adapter.submit_python_job: main(runtime) runs the
  model on the dbt thread's connection and writes the returned DataFrame into
  `target_relation` (CREATE TABLE + COPY), without committing. `like_relation`
  (incremental runs: the existing target) supplies the types of columns the
  DataFrame cannot tell, such as an empty batch.
  It is kept flush left on purpose: Python is indentation-sensitive.
-#}
{% macro py_write_table(compiled_code, target_relation, temporary=False, like_relation=none) -%}
{{ compiled_code }}


# ---- pypostgres: executed in-process by the adapter, inside the dbt transaction ----
def main(runtime):
    dbt = dbtObj(runtime.load_df)
    frame = model(dbt, runtime.session)
    return runtime.write_table(
        frame,
        {{ target_relation.render() | tojson }},
        temporary={{ 'True' if temporary else 'False' }},
        like={{ (like_relation.render() | tojson) if like_relation is not none else 'None' }},
    )
{%- endmacro %}


{% macro py_script_comment() -%}
# pypostgres: dbt.ref()/dbt.source() return pandas DataFrames read on the model's own connection;
# `session` has .sql(query, params) -> DataFrame, .execute(statement, params) and .connection.
{%- endmacro %}
