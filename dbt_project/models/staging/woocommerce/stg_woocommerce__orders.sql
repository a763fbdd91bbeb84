with

source as (

    {{ typed_source('woocommerce', 'orders', {
        'id': 'text',
        'number': 'text',
        'parent_id': 'text',
        'customer_id': 'text',
        'status': 'text',
        'currency': 'text',
        'created_via': 'text',
        'payment_method': 'text',
        'billing__email': 'text',
        'billing__country': 'text',
        'prices_include_tax': 'boolean',
        'total': 'numeric',
        'total_tax': 'numeric',
        'discount_total': 'numeric',
        'shipping_total': 'numeric',
        'date_created_gmt': 'timestamp',
        'date_modified_gmt': 'timestamp',
        'date_paid_gmt': 'timestamp',
        'date_completed_gmt': 'timestamp',
        '_dlt_id': 'text',
        '_dlt_load_id': 'text',
    }) }}

),

marked as (

    {{ mark_deleted('source', 'woocommerce', 'orders') }}

),

final as (

    select
        ----------  ids
        id as order_id,
        _dlt_id as order_dlt_id,
        -- WooCommerce uses customer_id 0 for guest checkouts
        nullif(customer_id, '0') as customer_id,
        nullif(parent_id, '0') as parent_order_id,
        number as order_number,

        ---------- text
        lower(status) as status,
        upper(currency) as currency,
        lower(created_via) as created_via,
        payment_method,
        billing__email as billing_email,
        upper(nullif(billing__country, '')) as billing_country_code,

        ---------- booleans
        prices_include_tax,
        -- trashed in the admin (read with status=trash): deleted until restored
        coalesce(lower(status) = 'trash', false) as is_trashed,

        ---------- money
        total as order_total,
        total_tax as tax_total,
        discount_total,
        shipping_total,

        ---------- timestamps (UTC: WooCommerce *_gmt values carry no zone suffix)
        date_created_gmt as created_at,
        date_modified_gmt as updated_at,
        date_paid_gmt as paid_at,
        date_completed_gmt as completed_at,
        -- when it was trashed: its last modification while its status is trash
        case when lower(status) = 'trash' then date_modified_gmt end as trashed_at,

        ---------- deletes (macros/deleted_records.sql): trashed or deleted (deleted_records)
        {{ deletion_columns(dlt_loaded_at('_dlt_load_id'),
                            trashed_at_sql="case when lower(status) = 'trash' then date_modified_gmt end") }},

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from marked

)

select * from final
