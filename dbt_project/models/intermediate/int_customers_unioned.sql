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

commercetools_addresses as (

    select * from {{ ref('stg_commercetools__customer_addresses') }}

),

commercetools_countries as (

    -- the default billing address, else the first address
    select distinct on (commercetools_customers.customer_dlt_id)
        commercetools_customers.customer_dlt_id,
        commercetools_addresses.country_code

    from commercetools_customers
    inner join commercetools_addresses
        on commercetools_addresses.customer_dlt_id = commercetools_customers.customer_dlt_id
    order by
        commercetools_customers.customer_dlt_id,
        commercetools_addresses.address_id is not distinct from commercetools_customers.default_billing_address_id desc,
        commercetools_addresses.position

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
        commercetools_customers.customer_id,
        commercetools_customers.email,
        commercetools_customers.first_name,
        commercetools_customers.last_name,
        commercetools_countries.country_code,
        commercetools_customers.created_at,
        commercetools_customers.updated_at,
        commercetools_customers.loaded_at

    from commercetools_customers
    left join commercetools_countries
        on commercetools_countries.customer_dlt_id = commercetools_customers.customer_dlt_id

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
