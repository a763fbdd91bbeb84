{#
    The one delete model (docs/analytics.md, "Deletes"). Every loader writes the raw
    table `deleted_records` (merge on resource + id): a row per order, customer or
    product the platform deleted (deleted_at set; detected_by: event, message,
    reconciliation) or that came back (deleted_at NULL: restored / seen again). The
    entity staging models join it and expose is_deleted / deleted_at; rows are marked,
    never dropped, and the marts leave deleted records out.

    Use in a staging model whose CTE `source` reads the entity (columns id, store,
    _dlt_load_id):

        marked as ( {{ mark_deleted('source', 'shopify', 'orders') }} ),
        final as (
            select ...,
                {{ deletion_columns(dlt_loaded_at('_dlt_load_id')) }},
            from marked
        )
#}

{#-
    SELECT of every row of the CTE `relation` with the columns deleted_at and
    delete_loaded_at of its delete record (NULL: none) among the platform's
    deleted_records of `resource`, matched by store and id.
-#}
{% macro mark_deleted(relation, source_name, resource) -%}
    select
        {{ relation }}.*,
        deletes.deleted_at,
        deletes.delete_loaded_at
    from {{ relation }}
    left join (
        select
            store,
            id,
            deleted_at,
            {{ dlt_loaded_at('_dlt_load_id') }} as delete_loaded_at
        from (
            {{ typed_source(source_name, 'deleted_records', {
                'resource': 'text',
                'id': 'text',
                'deleted_at': 'timestamp',
                '_dlt_load_id': 'text',
            }) | indent(12) }}
        ) as deleted_records
        where resource = '{{ resource }}'
    ) as deletes
        on {{ relation }}.store = deletes.store
        and {{ relation }}.id = deletes.id
{%- endmacro %}


{#-
    The columns is_deleted, deleted_at and loaded_at of a row of mark_deleted.
    loaded_at_sql: when the row itself was loaded. loaded_at becomes the later of the
    row's load and its delete record's load, so the incremental models
    (macros/incremental.sql) reprocess a record the run deleted or restored, and every
    day and customer it touches, like any changed record.
    trashed_at_sql (optional): when the platform's own status says the row is deleted
    (WooCommerce trash: `case when status = 'trash' then date_modified_gmt end`), NULL
    otherwise; it counts as deleted like a delete record does.
-#}
{% macro deletion_columns(loaded_at_sql, trashed_at_sql=none) -%}
    {%- set deleted_at = 'coalesce(deleted_at, ' ~ trashed_at_sql ~ ')' if trashed_at_sql else 'deleted_at' -%}
    {{ deleted_at }} is not null as is_deleted,
        {{ deleted_at }} as deleted_at,
        greatest({{ loaded_at_sql }}, coalesce(delete_loaded_at, {{ loaded_at_sql }})) as loaded_at
{%- endmacro %}
