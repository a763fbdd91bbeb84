{#- Shopify customer accounts in the shared customer contract (_int_platforms__models.yml). -#}
with

customers as (

    select * from {{ ref('stg_shopify__customers') }}

),

final as (

    select
        cast('shopify' as {{ dbt.type_string() }}) as platform,
        store,
        customer_id,
        email,
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
