with

source as (

    {{ typed_source('shopify', 'customers', {
        'id': 'text',
        'legacy_resource_id': 'text',
        'default_email_address__email_address': 'text',
        'first_name': 'text',
        'last_name': 'text',
        'default_phone_number__phone_number': 'text',
        'state': 'text',
        'verified_email': 'boolean',
        'amount_spent__currency_code': 'text',
        'default_address__country_code_v2': 'text',
        'created_at': 'timestamp',
        'updated_at': 'timestamp',
        '_dlt_id': 'text',
        '_dlt_load_id': 'text',
    }) }}

),

tags as (

    {{ shopify_tags('customers__tags') }}

),

marked as (

    {{ mark_deleted('source', 'shopify', 'customers') }}

),

final as (

    select
        ----------  ids (Shopify's numeric id; the raw `id` is the GID)
        {{ shopify_numeric_id('marked.legacy_resource_id', 'marked.id') }} as customer_id,

        ---------- text
        marked.default_email_address__email_address as email,
        marked.first_name,
        marked.last_name,
        marked.default_phone_number__phone_number as phone,
        lower(marked.state) as account_state,
        coalesce(tags.tags, '') as tags,
        upper(marked.amount_spent__currency_code) as currency,
        upper(marked.default_address__country_code_v2) as country_code,

        ---------- booleans
        marked.verified_email as is_email_verified,

        ---------- timestamps (UTC)
        marked.created_at,
        marked.updated_at,

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
