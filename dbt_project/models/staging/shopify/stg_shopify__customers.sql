with

source as (

    {{ typed_source('shopify', 'customers', {
        'id': 'text',
        'email': 'text',
        'first_name': 'text',
        'last_name': 'text',
        'phone': 'text',
        'state': 'text',
        'verified_email': 'boolean',
        'tags': 'text',
        'currency': 'text',
        'default_address__country_code': 'text',
        'created_at': 'timestamp',
        'updated_at': 'timestamp',
        '_dlt_load_id': 'text',
    }) }}

),

marked as (

    {{ mark_deleted('source', 'shopify', 'customers') }}

),

final as (

    select
        ----------  ids
        id as customer_id,

        ---------- text
        email,
        first_name,
        last_name,
        phone,
        state as account_state,
        tags,
        upper(currency) as currency,
        upper(default_address__country_code) as country_code,

        ---------- booleans
        verified_email as is_email_verified,

        ---------- timestamps (UTC)
        created_at,
        updated_at,

        ---------- deletes (macros/deleted_records.sql)
        {{ deletion_columns(dlt_loaded_at('_dlt_load_id')) }},

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from marked

)

select * from final
