{#-
    The body of stg_<platform>__stores: one row per raw dataset of the platform that
    holds a `store` table, i.e. per store the loader has loaded (the same shape on
    every platform, so the three staging models share this one definition).
-#}
{% macro staged_store(platform) %}
with

source as (

    {{ typed_source(platform, 'store', {
        'checked_at': 'timestamp',
        '_dlt_load_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        store,

        ---------- timestamps (UTC)
        checked_at,
        {{ dlt_loaded_at('_dlt_load_id') }} as loaded_at

    from source

)

select * from final
{% endmacro %}
