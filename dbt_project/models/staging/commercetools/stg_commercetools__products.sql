with

source as (

    {{ typed_source('commercetools', 'products', {
        'id': 'text',
        'key': 'text',
        'version': 'integer',
        'product_type__id': 'text',
        'master_data__published': 'boolean',
        'master_data__has_staged_changes': 'boolean',
        'master_data__current__name': commercetools_localized,
        'master_data__current__slug': commercetools_localized,
        'master_data__current__master_variant__sku': 'text',
        'master_data__current__master_variant__id': 'text',
        'master_data__current__categories': 'json',
        'master_data__current__variants': 'json',
        'created_at': 'timestamp',
        'last_modified_at': 'timestamp',
        '_dlt_id': 'text',
        '_dlt_load_id': 'text',
    }) }}

),

marked as (

    {{ mark_deleted('source', 'commercetools', 'products') }}

),

final as (

    select
        ----------  ids
        id as product_id,
        _dlt_id as product_dlt_id,
        key as product_key,
        product_type__id as product_type_id,
        master_data__current__master_variant__id as master_variant_id,
        version,

        ---------- text (the published "current" projection, names in the var commercetools_locale)
        master_data__current__name as product_name,
        master_data__current__slug as handle,
        master_data__current__master_variant__sku as sku,
        {{ json_path('master_data__current__categories', ['0', 'id']) }} as category_id,

        ---------- numerics
        1 + coalesce({{ json_array_length('master_data__current__variants') }}, 0) as variants_count,

        ---------- booleans
        master_data__published as is_published,
        master_data__has_staged_changes as has_staged_changes,

        ---------- timestamps (UTC)
        created_at,
        last_modified_at as updated_at,

        ---------- deletes (macros/deleted_records.sql)
        {{ deletion_columns(dlt_loaded_at('_dlt_load_id')) }},

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from marked

)

select * from final
