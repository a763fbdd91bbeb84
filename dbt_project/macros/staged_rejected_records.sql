{#-
    The body of stg_<platform>__rejected_records: every platform's loader writes
    rejected records in the same shape, so the three staging models share this one
    definition instead of three copies.
-#}
{% macro staged_rejected_records(platform) %}
with

source as (

    {{ typed_source(platform, 'rejected_records', {
        'platform': 'text',
        'resource': 'text',
        'reason': 'text',
        'raw_json': 'text',
        'loaded_at': 'timestamp',
        '_dlt_id': 'text',
        '_dlt_load_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        _dlt_id as rejected_record_dlt_id,
        _dlt_load_id as dlt_load_id,
        store,

        ---------- text
        coalesce(platform, '{{ platform }}') as platform,
        resource,
        reason,
        raw_json,

        ---------- timestamps (UTC)
        loaded_at as rejected_at

    from source

)

select * from final
{% endmacro %}
