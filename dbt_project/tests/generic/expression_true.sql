{#-
    Every row satisfies a boolean SQL expression (rows where it is false fail; NULL
    counts as false, so write `x is null or ...` to allow NULLs). Usage, model level:
        data_tests:
          - expression_true:
              arguments:
                expression: "net_revenue = revenue - refunds"
-#}
{% test expression_true(model, expression) %}

select *
from {{ model }}
where not coalesce(({{ expression }}), false)

{% endtest %}
