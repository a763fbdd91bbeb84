{#
    Every dbt var the models paste into SQL is checked before anything runs
    (on-run-start in dbt_project.yml), so `dbt build --vars "{as_of: \"2026-01-31' ...\"}"`
    fails with one line naming the var instead of compiling it into the SQL.
    `metric-pulse` checks the same rules in Python first (metric_pulse/dbt_vars.py): keep them in step.
#}
{% macro validate_vars() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set re = modules.re -%}
    {%- set problems = [] -%}

    {%- set as_of = var('as_of', none) -%}
    {%- if as_of not in [none, '', 'today'] and not _is_date(as_of | string) -%}
        {%- do problems.append('as_of must be a date YYYY-MM-DD (or empty for today)') -%}
    {%- endif -%}

    {%- set zone = var('reporting_timezone', 'UTC') -%}
    {%- if zone is not string or not re.fullmatch('[A-Za-z0-9_+\-/]{1,64}', zone) -%}
        {%- do problems.append('reporting_timezone must be a time zone name such as Europe/Berlin') -%}
    {%- elif not time_zone_exists(zone) -%}
        {%- do problems.append('reporting_timezone ' ~ zone ~ ' is not a time zone this database knows') -%}
    {%- endif -%}

    {%- set currency = var('reporting_currency', 'USD') -%}
    {%- if currency is not string or not re.fullmatch('[A-Za-z]{3}', currency) -%}
        {%- do problems.append('reporting_currency must be an ISO 4217 currency code such as USD') -%}
    {%- endif -%}

    {%- set locale = var('commercetools_locale', 'en') -%}
    {%- if locale is not string or not re.fullmatch('[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*', locale) -%}
        {%- do problems.append('commercetools_locale must be a locale such as en or de-DE') -%}
    {%- endif -%}

    {%- for name in ['incremental_lookback_days', 'test_window_days', 'clv_min_tenure_days',
                     'clv_horizon_months', 'clv_holdout_weeks', 'clv_refit_days'] -%}
        {%- set value = var(name, 0) -%}
        {%- if value is boolean or not (value is integer or (value is string and value.strip().isdigit())) or value | int < 0 -%}
            {%- do problems.append(name ~ ' must be a whole number >= 0') -%}
        {%- endif -%}
    {%- endfor -%}

    {%- for name in ['clv_expected_lifespan_years', 'clv_monthly_discount'] -%}
        {%- set value = var(name, 0) -%}
        {%- if value is boolean or not (value is number or (value is string and re.fullmatch('[0-9]+(\.[0-9]+)?', value.strip()))) or value | float < 0 -%}
            {%- do problems.append(name ~ ' must be a number >= 0') -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if var('clv_model', 'pnbd') not in ['pnbd', 'mbgnbd', 'bgnbd'] -%}
        {%- do problems.append('clv_model must be one of pnbd, mbgnbd, bgnbd') -%}
    {%- endif -%}

    {%- for platform in platforms() -%}
        {%- set schema = var(platform ~ '_raw_schema', 'raw_' ~ platform) -%}
        {%- if schema is not string or not re.fullmatch('[a-z_][a-z0-9_]{0,62}', schema) -%}
            {%- do problems.append(platform ~ '_raw_schema must be a lower-case schema name') -%}
        {%- endif -%}
    {%- endfor -%}

    {%- if problems -%}
        {{ exceptions.raise_compiler_error('dbt var ' ~ problems[0]) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}


{#- A real calendar date written YYYY-MM-DD (2026-02-30 is not). -#}
{% macro _is_date(value) -%}
    {%- if value is not string or not modules.re.fullmatch('[0-9]{4}-[0-9]{2}-[0-9]{2}', value) -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set year, month, day = value[0:4] | int, value[5:7] | int, value[8:10] | int -%}
    {%- if month < 1 or month > 12 or day < 1 or year < 1 -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set next_month = modules.datetime.date(year + (month // 12), month % 12 + 1, 1) -%}
    {{ return(day <= (next_month - modules.datetime.timedelta(days=1)).day) }}
{%- endmacro %}
