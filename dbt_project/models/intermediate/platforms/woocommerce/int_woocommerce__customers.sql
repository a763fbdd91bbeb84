{#-
    WooCommerce customer accounts in the shared customer contract
    (_int_platforms__models.yml): an account without an e-mail of its own takes its
    billing e-mail.
-#}
with

customers as (

    select * from {{ ref('stg_woocommerce__customers') }}

),

final as (

    select
        cast('woocommerce' as {{ dbt.type_string() }}) as platform,
        store,
        customer_id,
        coalesce(nullif(trim(email), ''), billing_email) as email,
        first_name,
        last_name,
        country_code,
        created_at,
        updated_at,
        is_deleted,
        deleted_at,
        loaded_at

    from customers

)

select * from final
