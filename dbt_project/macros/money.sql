{#- commercetools CentPrecisionMoney: centAmount / 10^fractionDigits (JPY has 0 digits). -#}
{% macro cents_to_amount(cent_amount, fraction_digits) -%}
    cast({{ cent_amount }} / power(10, coalesce({{ fraction_digits }}, 2)) as {{ money_type() }})
{%- endmacro %}


{#-
    A reporting-currency amount rounded to cents, in the money type (a rate read as a double,
    as DuckDB reads the seed, would make it a double); NULL stays NULL (unknown currency).
-#}
{% macro to_reporting(amount, exchange_rate) -%}
    cast(round(({{ amount }}) * {{ exchange_rate }}, 2) as {{ money_type() }})
{%- endmacro %}
