with

shopify_customers as (

    select * from {{ ref('stg_shopify__customers') }}

),

woocommerce_customers as (

    select * from {{ ref('stg_woocommerce__customers') }}

),

commercetools_customers as (

    select * from {{ ref('stg_commercetools__customers') }}

),

shopify as (

    select
        'shopify'::text as platform,
        {{ store_for('shopify') }} as store,
        customer_id,
        email,
        first_name,
        last_name,
        country_code,
        created_at,
        updated_at,
        loaded_at

    from shopify_customers

),

woocommerce as (

    select
        'woocommerce'::text as platform,
        {{ store_for('woocommerce') }} as store,
        customer_id,
        coalesce(nullif(trim(email), ''), billing_email) as email,
        first_name,
        last_name,
        country_code,
        created_at,
        updated_at,
        loaded_at

    from woocommerce_customers

),

commercetools as (

    select
        'commercetools'::text as platform,
        {{ store_for('commercetools') }} as store,
        customer_id,
        email,
        first_name,
        last_name,
        cast(null as text) as country_code,
        created_at,
        updated_at,
        loaded_at

    from commercetools_customers

),

unioned as (

    select * from shopify
    union all
    select * from woocommerce
    union all
    select * from commercetools

),

final as (

    select
        {{ platform_key('platform', 'store', 'customer_id') }} as customer_account_key,
        *

    from unioned

)

select * from final
