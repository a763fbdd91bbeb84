{#-
    An RFM score 1-5 from a rank (SQL rank(): tied values share the lowest rank) among
    n customers: 1 + floor(5 x percent_rank), percent_rank = (rank - 1) / (n - 1),
    in exact integer arithmetic. Tied values always get the same score; with n
    distinct values each score holds a fifth of the customers. A lone customer scores 1.
-#}
{% macro quintile_score(rank_column, count_column) -%}
    least(5, 1 + coalesce({{ integer_divide('5 * (' ~ rank_column ~ ' - 1)', 'nullif(' ~ count_column ~ ' - 1, 0)') }}, 0))
{%- endmacro %}
