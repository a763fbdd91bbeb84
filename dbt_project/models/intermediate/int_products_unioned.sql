{#-
    One row per product of every platform. `category`: Shopify product_type,
    WooCommerce first category, commercetools has only category references (ids) in
    the product, so its category is NULL and category_id keeps the reference.
    `status`: active (sellable), draft or archived, mapped from each platform's
    own status (WooCommerce publish/draft/pending/private, commercetools published).
-#}
with

shopify_products as (

    select * from {{ ref('stg_shopify__products') }}

),

shopify_variants as (

    select * from {{ ref('stg_shopify__product_variants') }}

),

woocommerce_products as (

    select * from {{ ref('stg_woocommerce__products') }}

),

woocommerce_categories as (

    select * from {{ ref('stg_woocommerce__product_categories') }}

),

woocommerce_variations as (

    select * from {{ ref('stg_woocommerce__product_variations') }}

),

commercetools_products as (

    select * from {{ ref('stg_commercetools__products') }}

),

shopify_variant_summary as (

    select
        product_dlt_id,
        count(*) as variants_count,
        (array_agg(sku order by position nulls last, variant_id))[1] as first_sku

    from shopify_variants
    group by product_dlt_id

),

woocommerce_first_category as (

    select distinct on (product_dlt_id)
        product_dlt_id,
        category_id,
        category_name

    from woocommerce_categories
    order by product_dlt_id, position

),

woocommerce_variation_counts as (

    select
        product_dlt_id,
        count(*) as variants_count

    from woocommerce_variations
    group by product_dlt_id

),

shopify as (

    select
        'shopify'::text as platform,
        {{ store_for('shopify') }} as store,
        shopify_products.product_id,
        shopify_products.product_name,
        nullif(shopify_products.product_type, '') as category,
        cast(null as text) as category_id,
        nullif(shopify_products.vendor, '') as vendor,
        shopify_variant_summary.first_sku as sku,
        shopify_products.handle,
        case
            when shopify_products.status in ('active', 'draft', 'archived') then shopify_products.status
            else 'active'
        end as status,
        coalesce(shopify_variant_summary.variants_count, 0) as variants_count,
        shopify_products.created_at,
        shopify_products.updated_at

    from shopify_products
    left join shopify_variant_summary
        on shopify_variant_summary.product_dlt_id = shopify_products.product_dlt_id

),

woocommerce as (

    select
        'woocommerce'::text as platform,
        {{ store_for('woocommerce') }} as store,
        woocommerce_products.product_id,
        woocommerce_products.product_name,
        woocommerce_first_category.category_name as category,
        woocommerce_first_category.category_id,
        cast(null as text) as vendor,
        woocommerce_products.sku,
        woocommerce_products.handle,
        case woocommerce_products.status
            when 'publish' then 'active'
            when 'private' then 'archived'
            else 'draft'
        end as status,
        coalesce(woocommerce_variation_counts.variants_count, 1) as variants_count,
        woocommerce_products.created_at,
        woocommerce_products.updated_at

    from woocommerce_products
    left join woocommerce_first_category
        on woocommerce_first_category.product_dlt_id = woocommerce_products.product_dlt_id
    left join woocommerce_variation_counts
        on woocommerce_variation_counts.product_dlt_id = woocommerce_products.product_dlt_id

),

commercetools as (

    select
        'commercetools'::text as platform,
        {{ store_for('commercetools') }} as store,
        product_id,
        product_name,
        cast(null as text) as category,
        category_id,
        cast(null as text) as vendor,
        sku,
        handle,
        case when is_published then 'active' else 'draft' end as status,
        variants_count,
        created_at,
        updated_at

    from commercetools_products

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
        {{ platform_key('platform', 'store', 'product_id') }} as product_key,
        *

    from unioned

)

select * from final
