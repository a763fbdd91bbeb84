{#
    Raw tables are written by dlt, which only creates the tables and columns it has
    seen: a store without refunds has no `orders__refunds` table, a store whose
    orders never carried a customer has no `customer__id` column, and a JSON number
    that was an integer first and a decimal later lands in two columns (`price` and
    the variant `price__v_double`).

    `typed_source(source_name, table_name, columns)` renders a SELECT that returns
    exactly the requested raw columns with the requested types, whatever the raw
    table looks like today, plus `store`, from every raw dataset of the platform
    (raw_datasets below: one per store, unioned):

      * a missing column is returned as a typed NULL;
      * dlt variant columns (`<name>__v_<type>`) are coalesced into the column;
      * a dataset without the table adds no rows; no dataset at all gives zero rows
        (the `source()` call still records lineage);
      * text that does not parse as the requested type becomes NULL instead of
        failing the whole build;
      * kind `timestamp` returns `timestamp without time zone` in UTC: values with an
        offset are converted, values without one (WooCommerce `*_gmt`) are taken as UTC.

    Kinds: text, numeric, bigint, integer, double, boolean, timestamp, date, json
    (a JSON document as jsonb), or a platform's own: a macro (existing_columns, name)
    returning the SQL of the column from the raw table's columns {lower-case name:
    column} (e.g. commercetools_localized, macros/platforms/commercetools.sql).
#}
{% macro typed_source(source_name, table_name, columns) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- set selects = [] -%}
    {%- for dataset in raw_datasets(relation.schema) -%}
        {%- set existing = adapter.get_relation(database=relation.database, schema=dataset, identifier=relation.identifier) -%}
        {%- if existing is not none -%}
            {%- set label = 'default' if dataset == relation.schema else dataset[(relation.schema | length) + 2:] -%}
            {%- do selects.append(typed_select(existing, columns, dataset_store(existing, label))) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if selects -%}
    {{ selects | join('\n    union all\n    ') }}
    {%- else -%}
    {{ typed_select(none, columns, "'default'") }}
    where false  -- {{ relation }} does not exist (yet)
    {%- endif %}
{%- endmacro %}


{#- SELECT of `columns` typed from the raw table `existing` (none: typed NULLs), with the column store. -#}
{% macro typed_select(existing, columns, store_sql) -%}
    {%- set found = columns_by_name(existing) if existing is not none else {} %}
    select
    {%- for name, kind in columns.items() %}
        {{ typed_column(found, name, kind) }} as {{ adapter.quote(name) }},
    {%- endfor %}
        cast({{ store_sql }} as {{ dbt.type_string() }}) as store
    {%- if existing is not none %}
    from {{ existing }}
    {%- endif %}
{%- endmacro %}


{#-
    The raw datasets (schemas) of a platform whose default dataset is `schema`: the
    schema itself (the store labelled `default`) and `<schema>__<label>` for every other
    store, as they exist in the warehouse when the model is compiled (the adapter's own
    schema listing (dbt's list_schemas, which every adapter has); like Fivetran's union_schemas). The default
    dataset first, then by label.
-#}
{% macro raw_datasets(schema) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set labelled = schema ~ '__[a-z0-9]{1,20}' -%}
    {%- set found = [] -%}
    {%- for name in dbt.list_schemas(target.database).columns[0].values() | map('lower') | sort -%}
        {%- if name == schema or modules.re.fullmatch(labelled, name) -%}
            {%- do found.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return((found | select('equalto', schema) | list) + (found | reject('equalto', schema) | list)) }}
{%- endmacro %}


{#-
    SQL text: the store identifier of the dataset `relation` lives in, from the dataset's
    one-row `store` table (column store_id: the shop domain, site host or project key the
    loader read from the store). A dataset loaded by a version without that table (or
    before its first load finished) goes by its label (`default` for raw_<platform>)
    until the next load writes it.
-#}
{% macro dataset_store(relation, label) -%}
    {%- set fallback = "'" ~ label ~ "'" -%}
    {%- set table = adapter.get_relation(database=relation.database, schema=relation.schema, identifier='store') -%}
    {%- if table is none -%}
        {{ return(fallback) }}
    {%- endif -%}
    {%- set store_id = typed_column(columns_by_name(table), 'store_id', 'text') -%}
    {{ return('coalesce((select max(' ~ store_id ~ ') from ' ~ table ~ '), ' ~ fallback ~ ')') }}
{%- endmacro %}


{#- {lower-case column name: column} of a relation. -#}
{% macro columns_by_name(relation) -%}
    {%- set found = {} -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- do found.update({column.name | lower: column}) -%}
    {%- endfor -%}
    {{ return(found) }}
{%- endmacro %}


{% macro typed_column(existing_columns, name, kind) -%}
    {%- if kind is not string -%}
        {{ return(kind(existing_columns, name)) }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- set variant_prefix = (name ~ '__v_') | lower -%}
    {%- for column_name, column in existing_columns.items() -%}
        {%- if column_name == name | lower or column_name.startswith(variant_prefix) -%}
            {%- do parts.append(cast_raw_value(adapter.quote(column.name), column.dtype | lower, kind)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if parts | length == 0 -%}
        {%- set json_value = json_ancestor_value(existing_columns, name) -%}
        {%- if json_value -%}
            {%- do parts.append(cast_raw_value(json_value, 'text', kind)) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if parts | length == 0 -%}
        cast(null as {{ sql_type_for_kind(kind) }})
    {%- elif parts | length == 1 -%}
        {{ parts[0] }}
    {%- else -%}
        coalesce({{ parts | join(', ') }})
    {%- endif -%}
{%- endmacro %}


{#-
    dlt stores objects nested deeper than the source's max_table_nesting as one JSON
    column (`price__value` holding {"centAmount": .., "fractionDigits": ..}). When the
    flat column `price__value__cent_amount` is absent, read the value from the closest
    JSON ancestor column, trying the key as written (snake_case, Shopify) and in
    camelCase (commercetools). Returns '' when there is no such ancestor.
-#}
{% macro json_ancestor_value(existing_columns, name, as_text=true) -%}
    {%- set lowered = name | lower -%}
    {%- set candidates = [] -%}
    {%- for column_name, column in existing_columns.items() -%}
        {%- if is_json_column(column) and lowered.startswith(column_name ~ '__') -%}
            {%- do candidates.append(column) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if candidates | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set ancestor = (candidates | sort(attribute='name') | last) -%}
    {%- set segments = lowered[(ancestor.name | length) + 2:].split('__') -%}
    {%- set camel = [] -%}
    {%- for segment in segments -%}
        {%- set words = segment.split('_') -%}
        {%- set ns = namespace(text=words[0]) -%}
        {%- for word in words[1:] -%}
            {%- set ns.text = ns.text ~ (word[:1] | upper) ~ word[1:] -%}
        {%- endfor -%}
        {%- do camel.append(ns.text) -%}
    {%- endfor -%}
    {%- set column_sql = 'cast(' ~ adapter.quote(ancestor.name) ~ ' as ' ~ json_type() ~ ')' -%}
    {%- set snake_path = json_path(column_sql, segments, as_text) -%}
    {%- set camel_path = json_path(column_sql, camel, as_text) -%}
    {%- if snake_path == camel_path -%}
        {{ return(snake_path) }}
    {%- endif -%}
    {{ return('coalesce(' ~ snake_path ~ ', ' ~ camel_path ~ ')') }}
{%- endmacro %}


{% macro sql_type_for_kind(kind) -%}
    {{ return({
        'text': dbt.type_string(),
        'numeric': money_type(),
        'bigint': 'bigint',
        'integer': 'integer',
        'double': double_type(),
        'boolean': 'boolean',
        'timestamp': 'timestamp',
        'date': 'date',
        'json': json_type(),
    }[kind]) }}
{%- endmacro %}


{#- One raw column (whatever dlt made of it) as the requested kind. -#}
{% macro cast_raw_value(column, dtype, kind) -%}
    {%- set is_text = dtype in ['text', 'character varying', 'varchar', 'character', 'char', 'string', 'jsonb', 'json'] -%}
    {%- set as_text = 'cast(' ~ column ~ ' as ' ~ dbt.type_string() ~ ')' -%}
    {%- set trimmed = 'nullif(trim(' ~ as_text ~ '), \'\')' -%}
    {%- if kind == 'text' -%}
        {{ as_text }}
    {%- elif kind == 'json' -%}
        {%- if dtype in ['jsonb', 'json'] -%}
            cast({{ column }} as {{ json_type() }})
        {%- elif is_text -%}
            case when {{ regex_matches(trimmed, '^[\\[{]') }} then {{ parse_json(trimmed) }} end
        {%- else -%}
            {{ to_json_document(column) }}
        {%- endif -%}
    {%- elif kind in ['numeric', 'double'] -%}
        {%- if is_text -%}
            case when {{ regex_matches(trimmed, '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$') }}
                 then cast({{ trimmed }} as {{ sql_type_for_kind(kind) }}) end
        {%- elif dtype == 'boolean' -%}
            cast(null as {{ sql_type_for_kind(kind) }})
        {%- else -%}
            cast({{ column }} as {{ sql_type_for_kind(kind) }})
        {%- endif -%}
    {%- elif kind in ['bigint', 'integer'] -%}
        {%- if is_text -%}
            case when {{ regex_matches(trimmed, '^[+-]?[0-9]+([.]0*)?$') }}
                 then cast(cast({{ trimmed }} as {{ dbt.type_numeric() }}) as {{ sql_type_for_kind(kind) }}) end
        {%- elif dtype == 'boolean' -%}
            cast(null as {{ sql_type_for_kind(kind) }})
        {%- else -%}
            cast({{ column }} as {{ sql_type_for_kind(kind) }})
        {%- endif -%}
    {%- elif kind == 'boolean' -%}
        {%- if dtype == 'boolean' -%}
            {{ column }}
        {%- elif is_text -%}
            case when lower({{ trimmed }}) in ('true', 't', 'yes', 'y', '1') then true
                 when lower({{ trimmed }}) in ('false', 'f', 'no', 'n', '0') then false end
        {%- else -%}
            ({{ column }} <> 0)
        {%- endif -%}
    {%- elif kind in ['timestamp', 'date'] -%}
        {%- if dtype == 'timestamp with time zone' -%}
            {%- set utc = instant_to_utc(column) -%}
        {%- elif dtype in ['timestamp without time zone', 'timestamp', 'date'] -%}
            {%- set utc = 'cast(' ~ column ~ ' as timestamp)' -%}
        {%- elif is_text -%}
            {%- set utc -%}
            case
                when {{ regex_matches(trimmed, '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?)?$') }}
                    then cast({{ trimmed }} as timestamp)
                when {{ regex_matches(trimmed, '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)? ?(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$') }}
                    then {{ offset_text_to_utc(trimmed) }}
            end
            {%- endset -%}
        {%- else -%}
            {%- set utc = 'cast(null as timestamp)' -%}
        {%- endif -%}
        {%- if kind == 'date' -%}
            cast({{ utc }} as date)
        {%- else -%}
            {{ utc }}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
