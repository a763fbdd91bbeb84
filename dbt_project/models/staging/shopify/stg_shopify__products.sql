with

source as (

    {{ typed_source('shopify', 'products', {
        'id': 'text',
        'legacy_resource_id': 'text',
        'title': 'text',
        'handle': 'text',
        'vendor': 'text',
        'product_type': 'text',
        'status': 'text',
        'created_at': 'timestamp',
        'updated_at': 'timestamp',
        'published_at': 'timestamp',
        '_dlt_id': 'text',
        '_dlt_load_id': 'text',
    }) }}

),

tags as (

    {{ shopify_tags('products__tags') }}

),

marked as (

    {{ mark_deleted('source', 'shopify', 'products') }}

),

final as (

    select
        ----------  ids (Shopify's numeric id; the raw `id` is the GID)
        {{ shopify_numeric_id('marked.legacy_resource_id', 'marked.id') }} as product_id,
        marked._dlt_id as product_dlt_id,

        ---------- text
        marked.title as product_name,
        marked.handle,
        marked.vendor,
        marked.product_type,
        lower(marked.status) as status,
        coalesce(tags.tags, '') as tags,

        ---------- timestamps (UTC)
        marked.created_at,
        marked.updated_at,
        marked.published_at,

        ---------- deletes (macros/deleted_records.sql)
        {{ deletion_columns(dlt_loaded_at('marked._dlt_load_id')) }},

        ---------- the store the row was loaded from (macros/typed_source.sql)
        marked.store

    from marked
    left join tags
        on tags._dlt_parent_id = marked._dlt_id
        and tags.store = marked.store

)

select * from final
