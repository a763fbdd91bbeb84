with

source as (

    {{ typed_source('commercetools', 'customers', {
        'id': 'text',
        'version': 'integer',
        'customer_number': 'text',
        'external_id': 'text',
        'email': 'text',
        'first_name': 'text',
        'last_name': 'text',
        'company_name': 'text',
        'locale': 'text',
        'default_billing_address_id': 'text',
        'default_shipping_address_id': 'text',
        'is_email_verified': 'boolean',
        'created_at': 'timestamp',
        'last_modified_at': 'timestamp',
        '_dlt_id': 'text',
        '_dlt_load_id': 'text',
    }) }}

),

marked as (

    {{ mark_deleted('source', 'commercetools', 'customers') }}

),

final as (

    select
        ----------  ids
        id as customer_id,
        _dlt_id as customer_dlt_id,
        customer_number,
        external_id,
        default_billing_address_id,
        default_shipping_address_id,
        version,

        ---------- text
        email,
        first_name,
        last_name,
        company_name,
        locale,

        ---------- booleans
        is_email_verified,

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
