{#-
    A commercetools LocalizedString as text in the locale of the var
    `commercetools_locale` (default 'en'), falling back to any other locale present.
    dlt flattens it into `<name>__<locale>` columns, or keeps it as a JSON column (or
    inside a JSON ancestor) when nested deeper than the loader's limit. A typed_source
    kind: `{'name': commercetools_localized}`.
-#}
{% macro commercetools_localized(existing_columns, name) -%}
    {%- set prefix = (name ~ '__') | lower -%}
    {%- set preferred = prefix ~ (var('commercetools_locale', 'en') | lower | replace('-', '_')) -%}
    {%- set first = [] -%}
    {%- set others = [] -%}
    {%- for column_name, column in existing_columns.items() -%}
        {%- set locale = column_name[prefix | length:] -%}
        {%- if column_name.startswith(prefix) and locale and '__' not in locale -%}
            {%- do (first if column_name == preferred or column_name.startswith(preferred ~ '_') else others).append(
                'nullif(cast(' ~ adapter.quote(column.name) ~ ' as ' ~ dbt.type_string() ~ '), \'\')') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set parts = first + (others | sort) -%}
    {%- if parts | length == 0 -%}
        {#- the whole LocalizedString may be one JSON column, or sit inside a JSON ancestor -#}
        {%- set own = existing_columns.get(name | lower) -%}
        {%- if own is not none and is_json_column(own) -%}
            {%- set object = 'cast(' ~ adapter.quote(own.name) ~ ' as ' ~ json_type() ~ ')' -%}
        {%- else -%}
            {%- set object = json_ancestor_value(existing_columns, name, as_text=false) -%}
        {%- endif -%}
        {%- if object -%}
            {%- set locale = var('commercetools_locale', 'en') -%}
            {{ return('coalesce(nullif(' ~ json_path(object, [locale]) ~ ", ''), " ~ json_first_value(object) ~ ')') }}
        {%- endif -%}
        {{ return('cast(null as ' ~ dbt.type_string() ~ ')') }}
    {%- elif parts | length == 1 -%}
        {{ return(parts[0]) }}
    {%- else -%}
        {{ return('coalesce(' ~ parts | join(', ') ~ ')') }}
    {%- endif -%}
{%- endmacro %}
