{#
    The dialect layer: every construct our SQL needs that PostgreSQL writes its own way,
    as an `adapter.dispatch` macro with a postgres body (the form the models always
    used, so the hot paths keep their plans), a duckdb and a spark body. Models and
    macros call these and dbt's cross-database macros (dbt.type_string(), ...), never
    the PostgreSQL syntax itself. docs/scaling-out.md says which engines were run.
#}

{#-
    Money and quantities: one explicit precision on every engine (docs/analytics.md,
    "Types"). A bare `numeric` differs: PostgreSQL unbounded, DuckDB decimal(18,3),
    Spark decimal(10,0), which silently rounds 12.34 to 12.
-#}
{% macro money_type() -%}
    {{ return(adapter.dispatch('money_type')()) }}
{%- endmacro %}

{% macro default__money_type() -%}
    {{ return('numeric(18,4)') }}
{%- endmacro %}

{% macro spark__money_type() -%}
    {{ return('decimal(18,4)') }}
{%- endmacro %}


{#- A double: PostgreSQL spells it `double precision`, Spark only `double` (its `float` is 4 bytes). -#}
{% macro double_type() -%}
    {{ return(adapter.dispatch('double_type')()) }}
{%- endmacro %}

{% macro default__double_type() -%}
    {{ return('double precision') }}
{%- endmacro %}

{% macro spark__double_type() -%}
    {{ return('double') }}
{%- endmacro %}


{#- Exchange rates and model outputs (probabilities, predicted CLV): 8 decimals on every engine. -#}
{% macro fraction_type() -%}
    {{ return(money_type() | replace('(18,4)', '(18,8)')) }}
{%- endmacro %}


{#-
    Division whose result is rounded next (averages): exact on PostgreSQL; DuckDB divides
    decimals as doubles (12.345 is 12.34499...), so its quotient is taken back to a decimal
    with 10 places first and round(x, 2) rounds half away from zero on both.
-#}
{% macro exact_divide(dividend, divisor) -%}
    {{ return(adapter.dispatch('exact_divide')(dividend, divisor)) }}
{%- endmacro %}

{% macro default__exact_divide(dividend, divisor) -%}
    (({{ dividend }}) / ({{ divisor }}))
{%- endmacro %}

{% macro duckdb__exact_divide(dividend, divisor) -%}
    {#- nullif: a double 0 / 0 is NaN, which no decimal holds (an error even in an unused branch) -#}
    cast(({{ dividend }}) / nullif({{ divisor }}, 0) as decimal(38, 10))
{%- endmacro %}


{#- Whole-number division, rounded towards zero (DuckDB's `/` of integers gives a double). -#}
{% macro integer_divide(dividend, divisor) -%}
    {{ return(adapter.dispatch('integer_divide')(dividend, divisor)) }}
{%- endmacro %}

{% macro default__integer_divide(dividend, divisor) -%}
    (({{ dividend }}) / ({{ divisor }}))
{%- endmacro %}

{% macro duckdb__integer_divide(dividend, divisor) -%}
    (({{ dividend }}) // ({{ divisor }}))
{%- endmacro %}

{% macro spark__integer_divide(dividend, divisor) -%}
    (({{ dividend }}) div ({{ divisor }}))
{%- endmacro %}


{#- The type of a parsed JSON document: jsonb / json / a string Spark parses on use. -#}
{% macro json_type() -%}
    {{ return(adapter.dispatch('json_type')()) }}
{%- endmacro %}

{% macro default__json_type() -%}
    {{ return('jsonb') }}
{%- endmacro %}

{% macro duckdb__json_type() -%}
    {{ return('json') }}
{%- endmacro %}

{% macro spark__json_type() -%}
    {{ return('string') }}
{%- endmacro %}


{#- True when `expression` matches the POSIX/RE2/Java-compatible `pattern` anywhere (unanchored). -#}
{% macro regex_matches(expression, pattern) -%}
    {{ return(adapter.dispatch('regex_matches')(expression, pattern)) }}
{%- endmacro %}

{% macro default__regex_matches(expression, pattern) -%}
    ({{ expression }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__regex_matches(expression, pattern) -%}
    regexp_matches({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__regex_matches(expression, pattern) -%}
    {#- Spark unescapes backslashes in string literals -#}
    ({{ expression }} rlike '{{ pattern | replace("\\", "\\\\") }}')
{%- endmacro %}



{#-
    The number in a Shopify GID as text: `gid://shopify/LineItem/123` -> '123' (also with a
    query, `.../MailingAddress/9?model_name=CustomerAddress` -> '9'); NULL for anything else.
    For nodes without a legacyResourceId: our keys keep Shopify's numeric ids.
-#}
{% macro gid_number(expression) -%}
    {{ return(adapter.dispatch('gid_number')(expression)) }}
{%- endmacro %}

{% macro default__gid_number(expression) -%}
    substring({{ expression }} from '^gid://shopify/[A-Za-z]+/([0-9]+)([?].*)?$')
{%- endmacro %}

{% macro duckdb__gid_number(expression) -%}
    nullif(regexp_extract({{ expression }}, '^gid://shopify/[A-Za-z]+/([0-9]+)([?].*)?$', 1), '')
{%- endmacro %}

{% macro spark__gid_number(expression) -%}
    {{ return(duckdb__gid_number(expression)) }}
{%- endmacro %}

{#- The current time as a UTC `timestamp` (without time zone). -#}
{% macro utc_now() -%}
    {{ return(adapter.dispatch('utc_now')()) }}
{%- endmacro %}

{% macro default__utc_now() -%}
    (now() at time zone 'UTC')
{%- endmacro %}

{% macro duckdb__utc_now() -%}
    timezone('UTC', now())
{%- endmacro %}

{% macro spark__utc_now() -%}
    to_utc_timestamp(current_timestamp(), current_timezone())
{%- endmacro %}


{#- A `timestamp with time zone` (an instant) as the UTC wall-clock `timestamp`. -#}
{% macro instant_to_utc(expression) -%}
    {{ return(adapter.dispatch('instant_to_utc')(expression)) }}
{%- endmacro %}

{% macro default__instant_to_utc(expression) -%}
    ({{ expression }} at time zone 'UTC')
{%- endmacro %}

{% macro duckdb__instant_to_utc(expression) -%}
    timezone('UTC', {{ expression }})
{%- endmacro %}

{% macro spark__instant_to_utc(expression) -%}
    to_utc_timestamp({{ expression }}, current_timezone())
{%- endmacro %}


{#- Text with an offset (ISO 8601, `...Z` / `...+02:00`) as the UTC wall-clock `timestamp`. -#}
{% macro offset_text_to_utc(expression) -%}
    {{ return(adapter.dispatch('offset_text_to_utc')(expression)) }}
{%- endmacro %}

{% macro default__offset_text_to_utc(expression) -%}
    {{ instant_to_utc('cast(' ~ expression ~ ' as timestamptz)') }}
{%- endmacro %}

{% macro spark__offset_text_to_utc(expression) -%}
    {{ instant_to_utc('cast(' ~ expression ~ ' as timestamp)') }}
{%- endmacro %}


{#- Unix seconds (a number or its text) as the UTC `timestamp`. -#}
{% macro epoch_to_utc(expression) -%}
    {{ return(adapter.dispatch('epoch_to_utc')(expression)) }}
{%- endmacro %}

{% macro default__epoch_to_utc(expression) -%}
    (to_timestamp(cast({{ expression }} as numeric)) at time zone 'UTC')
{%- endmacro %}

{% macro duckdb__epoch_to_utc(expression) -%}
    timezone('UTC', to_timestamp(cast({{ expression }} as double)))
{%- endmacro %}

{% macro spark__epoch_to_utc(expression) -%}
    to_utc_timestamp(timestamp_seconds(cast({{ expression }} as double)), current_timezone())
{%- endmacro %}


{#- The calendar date in time zone `zone` of a UTC `timestamp`. -#}
{% macro utc_to_local_date(expression, zone) -%}
    {{ return(adapter.dispatch('utc_to_local_date')(expression, zone | replace("'", "''"))) }}
{%- endmacro %}

{% macro default__utc_to_local_date(expression, zone) -%}
    cast(({{ expression }} at time zone 'UTC') at time zone '{{ zone }}' as date)
{%- endmacro %}

{% macro duckdb__utc_to_local_date(expression, zone) -%}
    cast(timezone('{{ zone }}', timezone('UTC', {{ expression }})) as date)
{%- endmacro %}

{% macro spark__utc_to_local_date(expression, zone) -%}
    cast(from_utc_timestamp({{ expression }}, '{{ zone }}') as date)
{%- endmacro %}


{#-
    The value at `path` (a list of keys) inside the JSON document `document`:
    as_text=true gives text (PostgreSQL #>>), false a JSON document (#>).
-#}
{% macro json_path(document, path, as_text=true) -%}
    {{ return(adapter.dispatch('json_path')(document, path, as_text)) }}
{%- endmacro %}

{% macro default__json_path(document, path, as_text) -%}
    ({{ document }} {{ '#>>' if as_text else '#>' }} '{{ '{' ~ path | join(',') ~ '}' }}')
{%- endmacro %}

{% macro duckdb__json_path(document, path, as_text) -%}
    {{ 'json_extract_string' if as_text else 'json_extract' }}({{ document }}, '{{ jsonpath(path) }}')
{%- endmacro %}

{% macro spark__json_path(document, path, as_text) -%}
    {#- get_json_object returns a nested document as its JSON text, which is what json_type() is here -#}
    get_json_object({{ document }}, '{{ jsonpath(path) }}')
{%- endmacro %}


{#- A list of keys (a whole number: an array position from 0) as a JSONPath: ['a', '0', 'b'] is $.a[0].b -#}
{% macro jsonpath(path) -%}
    {%- set ns = namespace(text='$') -%}
    {%- for key in path -%}
        {%- set ns.text = ns.text ~ ('[' ~ key ~ ']' if (key | string).isdigit() else '.' ~ key) -%}
    {%- endfor -%}
    {{ return(ns.text) }}
{%- endmacro %}


{#- The number of elements of a JSON array (NULL when the document is not an array). -#}
{% macro json_array_length(document) -%}
    {{ return(adapter.dispatch('json_array_length')(document)) }}
{%- endmacro %}

{% macro default__json_array_length(document) -%}
    jsonb_array_length(case when jsonb_typeof({{ document }}) = 'array' then {{ document }} end)
{%- endmacro %}

{% macro duckdb__json_array_length(document) -%}
    json_array_length(case when json_type({{ document }}) = 'ARRAY' then {{ document }} end)
{%- endmacro %}

{% macro spark__json_array_length(document) -%}
    json_array_length({{ document }})
{%- endmacro %}


{#-
    FROM-clause join: one row per element of the JSON array `document` (none when it is
    not an array), as `alias.value` (a JSON document) and `alias.position` (from 1).
-#}
{% macro join_json_array(document, alias) -%}
    {{ return(adapter.dispatch('join_json_array')(document, alias)) }}
{%- endmacro %}

{% macro default__join_json_array(document, alias) -%}
    cross join lateral jsonb_array_elements(
        case when jsonb_typeof({{ document }}) = 'array' then {{ document }} else cast('[]' as jsonb) end
    ) with ordinality as {{ alias }} (value, position)
{%- endmacro %}

{% macro duckdb__join_json_array(document, alias) -%}
    cross join lateral (
        select elements.value, elements.position
        from unnest(case when json_type({{ document }}) = 'ARRAY' then cast({{ document }} as json []) else [] end)
            with ordinality as elements (value, position)
    ) as {{ alias }}
{%- endmacro %}

{% macro spark__join_json_array(document, alias) -%}
    lateral view posexplode(from_json({{ document }}, 'array<string>')) {{ alias }} as position, value
{%- endmacro %}


{#-
    Whether a raw column (from adapter.get_columns_in_relation) may hold JSON documents: dlt's
    json/jsonb columns; on Spark JSON arrives as a string (typed_source then reads only the
    JSON ancestors a missing column's name points at, and a plain string yields NULL paths).
    Checking the type name alone there left 15 commercetools columns NULL on every row.
-#}
{% macro is_json_column(column) -%}
    {{ return(adapter.dispatch('is_json_column')(column)) }}
{%- endmacro %}

{% macro default__is_json_column(column) -%}
    {{ return(column.dtype | lower in ['jsonb', 'json']) }}
{%- endmacro %}

{% macro spark__is_json_column(column) -%}
    {{ return(column.dtype | lower in ['string', 'json']) }}
{%- endmacro %}


{#- A JSON document from text that starts with `[` or `{`. -#}
{% macro parse_json(expression) -%}
    {{ return(adapter.dispatch('parse_json')(expression)) }}
{%- endmacro %}

{% macro default__parse_json(expression) -%}
    cast({{ expression }} as {{ json_type() }})
{%- endmacro %}


{#- A JSON document from a value of another type (a number, a boolean). -#}
{% macro to_json_document(expression) -%}
    {{ return(adapter.dispatch('to_json_document')(expression)) }}
{%- endmacro %}

{% macro default__to_json_document(expression) -%}
    to_jsonb({{ expression }})
{%- endmacro %}

{% macro duckdb__to_json_document(expression) -%}
    to_json({{ expression }})
{%- endmacro %}

{% macro spark__to_json_document(expression) -%}
    cast({{ expression }} as string)
{%- endmacro %}


{#- The JSON type name of a document ('object', 'array', ...), lower case. -#}
{% macro json_typeof(document) -%}
    {{ return(adapter.dispatch('json_typeof')(document)) }}
{%- endmacro %}

{% macro default__json_typeof(document) -%}
    jsonb_typeof({{ document }})
{%- endmacro %}

{% macro duckdb__json_typeof(document) -%}
    lower(json_type({{ document }}))
{%- endmacro %}

{% macro spark__json_typeof(document) -%}
    case
        when left(trim({{ document }}), 1) = '{' then 'object'
        when left(trim({{ document }}), 1) = '[' then 'array'
    end
{%- endmacro %}


{#- The value of the alphabetically first key of a JSON object, as text (NULL for no object). -#}
{% macro json_first_value(document) -%}
    {{ return(adapter.dispatch('json_first_value')(document)) }}
{%- endmacro %}

{% macro default__json_first_value(document) -%}
    (select nullif(value, '') from jsonb_each_text(case when jsonb_typeof({{ document }}) = 'object'
        then {{ document }} end) order by key limit 1)
{%- endmacro %}

{% macro duckdb__json_first_value(document) -%}
    nullif(json_extract_string({{ document }}, '$."' || list_sort(json_keys({{ document }}))[1] || '"'), '')
{%- endmacro %}

{% macro spark__json_first_value(document) -%}
    nullif(element_at(array_sort(map_entries(from_json({{ document }}, 'map<string,string>'))), 1).value, '')
{%- endmacro %}


{#-
    `column in (select ...)` for a subquery: PostgreSQL reads `= any(array(...))` as a
    plain condition and uses the column's index (an IN becomes a join that scans).
-#}
{% macro in_subquery(column, subquery) -%}
    {{ return(adapter.dispatch('in_subquery')(column, subquery)) }}
{%- endmacro %}

{% macro default__in_subquery(column, subquery) -%}
    {{ column }} in ({{ subquery }})
{%- endmacro %}

{% macro postgres__in_subquery(column, subquery) -%}
    {{ column }} = any(array({{ subquery }}))
{%- endmacro %}


{#- Refresh the planner's statistics of `relation` (PostgreSQL); a no-op elsewhere. -#}
{% macro analyze_table(relation) -%}
    {{ return(adapter.dispatch('analyze_table')(relation)) }}
{%- endmacro %}

{% macro default__analyze_table(relation) -%}
{%- endmacro %}

{% macro postgres__analyze_table(relation) -%}
    analyze {{ relation }}
{%- endmacro %}


{#- Whether the engine knows the time zone `zone` (checked by validate_vars before anything runs). -#}
{% macro time_zone_exists(zone) -%}
    {{ return(adapter.dispatch('time_zone_exists')(zone)) }}
{%- endmacro %}

{% macro default__time_zone_exists(zone) -%}
    {{ return(run_query("select count(*) from pg_timezone_names where name = '" ~ zone ~ "'").columns[0].values()[0] > 0) }}
{%- endmacro %}

{% macro duckdb__time_zone_exists(zone) -%}
    {{ return(run_query("select count(*) from pg_timezone_names() where name = '" ~ zone ~ "'").columns[0].values()[0] > 0) }}
{%- endmacro %}

{% macro spark__time_zone_exists(zone) -%}
    {#- Spark takes any region-based zone id of the JVM; a wrong one fails the first query using it -#}
    {{ return(true) }}
{%- endmacro %}


{#-
    The first row per `partition_by` in `order_by` order (SQL text after `order by`),
    selecting `columns` (column references, qualified or not) from `from_sql` (the
    `from ... [where ...]` text). PostgreSQL and DuckDB: `select distinct on` (one sort,
    no window); Spark has no `distinct on`: row_number() in a subquery.
-#}
{% macro first_row_per(partition_by, columns, from_sql, order_by) -%}
    {{ return(adapter.dispatch('first_row_per')(partition_by, columns, from_sql, order_by)) }}
{%- endmacro %}

{% macro default__first_row_per(partition_by, columns, from_sql, order_by) -%}
    select distinct on ({{ partition_by }})
        {{ columns | join(',\n        ') }}
    {{ from_sql }}
    order by {{ partition_by }}, {{ order_by }}
{%- endmacro %}

{% macro spark__first_row_per(partition_by, columns, from_sql, order_by) -%}
    select
    {%- for column in columns %}
        {{ column.split('.') | last }}{{ ',' if not loop.last }}
    {%- endfor %}
    from (
        select
            {{ columns | join(',\n            ') }},
            row_number() over (partition by {{ partition_by }} order by {{ order_by }}) as first_row_rank
        {{ from_sql }}
    ) as ranked_rows
    where first_row_rank = 1
{%- endmacro %}


{#-
    Aggregate: `value` of the group's first row ordered by `keys` (ascending, NULLs last).
    PostgreSQL: the first element of the ordered array_agg; Spark: min_by on a struct of
    the keys (a NULL key sorts after every value, as in PostgreSQL's ascending order).
-#}
{% macro first_in_order(value, keys) -%}
    {{ return(adapter.dispatch('first_in_order')(value, keys)) }}
{%- endmacro %}

{% macro default__first_in_order(value, keys) -%}
    (array_agg({{ value }} order by {{ keys | join(' nulls last, ') }} nulls last))[1]
{%- endmacro %}

{% macro spark__first_in_order(value, keys) -%}
    min_by({{ value }}, struct(
    {%- for key in keys -%}
        {{ key }} is null, {{ key }}{{ ', ' if not loop.last }}
    {%- endfor -%}
    ))
{%- endmacro %}


{#- Aggregate: the distinct values of `column`, sorted, joined by `separator` (a quoted literal). -#}
{% macro sorted_distinct_list(column, separator) -%}
    {{ return(adapter.dispatch('sorted_distinct_list')(column, separator)) }}
{%- endmacro %}

{% macro default__sorted_distinct_list(column, separator) -%}
    string_agg(distinct {{ column }}, {{ separator }} order by {{ column }})
{%- endmacro %}

{% macro spark__sorted_distinct_list(column, separator) -%}
    array_join(array_sort(collect_set({{ column }})), {{ separator }})
{%- endmacro %}


{#-
    Contracts declare PostgreSQL's `text`; Spark calls it `string`. dbt builds the
    contract's expected schema by casting NULLs to the declared types, so on Spark the
    declared types are translated first (the columns' real types then compare equal).
-#}
{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set translated = {} -%}
    {%- for name, column in columns.items() -%}
        {%- set declared = column['data_type'] -%}
        {%- do translated.update({name: {
            'name': column['name'],
            'data_type': dbt.type_string() if declared | lower == 'text' else declared,
            'quote': column.get('quote'),
        }}) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_empty_schema_sql(translated)) }}
{%- endmacro %}


{#-
    int_order_exchange_rates: joins, as `alias`, the rate of `currency` (an expression on
    `order_dates`) valid on order_dates.rate_date from the CTE `rates`: the latest one
    valid on that day, else the earliest known. PostgreSQL and DuckDB: a lateral top-1
    per order (the seed is small, the orders many). Spark has no correlated ORDER BY:
    the candidate rates are ranked per order_key with row_number().
-#}
{% macro join_rate_on_date(alias, currency) -%}
    {{ return(adapter.dispatch('join_rate_on_date')(alias, currency)) }}
{%- endmacro %}

{% macro default__join_rate_on_date(alias, currency) -%}
    left join lateral (
        select rates.units_per_usd
        from rates
        where rates.currency_code = {{ currency }}
        order by rates.valid_from > order_dates.rate_date, abs(order_dates.rate_date - rates.valid_from)
        limit 1
    ) as {{ alias }} on true
{%- endmacro %}

{% macro spark__join_rate_on_date(alias, currency) -%}
    left join (
        select order_key, units_per_usd
        from (
            select
                order_dates.order_key,
                rates.units_per_usd,
                row_number() over (
                    partition by order_dates.order_key
                    order by rates.valid_from > order_dates.rate_date, abs(datediff(order_dates.rate_date, rates.valid_from))
                ) as rate_rank
            from order_dates
            inner join rates on rates.currency_code = {{ currency }}
        ) as ranked_rates
        where rate_rank = 1
    ) as {{ alias }} on {{ alias }}.order_key = order_dates.order_key
{%- endmacro %}


{#- Whole days from the date `earlier` to the date `later`: PostgreSQL and DuckDB subtract dates; Spark's difference is an interval. -#}
{% macro days_between(later, earlier) -%}
    {{ return(adapter.dispatch('days_between')(later, earlier)) }}
{%- endmacro %}

{% macro default__days_between(later, earlier) -%}
    ({{ later }} - {{ earlier }})
{%- endmacro %}

{% macro spark__days_between(later, earlier) -%}
    datediff({{ later }}, {{ earlier }})
{%- endmacro %}


{#- A date before every other: PostgreSQL and DuckDB have '-infinity'; Spark casts that to NULL (and NULL compares false). -#}
{% macro earliest_date() -%}
    {{ return(adapter.dispatch('earliest_date')()) }}
{%- endmacro %}

{% macro default__earliest_date() -%}
    {{ return("cast('-infinity' as date)") }}
{%- endmacro %}

{% macro spark__earliest_date() -%}
    {{ return("cast('0001-01-01' as date)") }}
{%- endmacro %}
