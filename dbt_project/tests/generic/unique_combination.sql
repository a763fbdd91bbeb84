{#-
    The model has at most one row per combination of `columns` (NULLs compare equal,
    as a grain should). Usage, model level:
        data_tests:
          - unique_combination:
              arguments:
                columns: [date, platform, store, source]
-#}
{% test unique_combination(model, columns) %}

select
    {{ columns | join(', ') }},
    count(*) as rows_per_key

from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1

{% endtest %}
