with

source as (

    {{ typed_source('woocommerce', 'customers', {
        'id': 'text',
        'email': 'text',
        'first_name': 'text',
        'last_name': 'text',
        'username': 'text',
        'role': 'text',
        'is_paying_customer': 'boolean',
        'billing__email': 'text',
        'billing__phone': 'text',
        'billing__country': 'text',
        'date_created_gmt': 'timestamp',
        'date_modified_gmt': 'timestamp',
        '_dlt_load_id': 'text',
    }) }}

),

marked as (

    {{ mark_deleted('source', 'woocommerce', 'customers') }}

),

final as (

    select
        ----------  ids
        id as customer_id,

        ---------- text
        email,
        first_name,
        last_name,
        username,
        role,
        billing__email as billing_email,
        billing__phone as phone,
        upper(nullif(billing__country, '')) as country_code,

        ---------- booleans
        is_paying_customer,

        ---------- timestamps (UTC: WooCommerce *_gmt values carry no zone suffix)
        date_created_gmt as created_at,
        date_modified_gmt as updated_at,

        ---------- deletes (macros/deleted_records.sql)
        {{ deletion_columns(dlt_loaded_at('_dlt_load_id')) }},

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from marked

)

select * from final
