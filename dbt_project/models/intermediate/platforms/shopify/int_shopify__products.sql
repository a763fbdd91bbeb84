{#-
    Shopify products in the shared product contract (_int_platforms__models.yml):
    category is the product_type; the SKU is the first variant's; status is Shopify's
    own (active, draft, archived; anything else counts as active).
-#}
with

products as (

    select * from {{ ref('stg_shopify__products') }}

),

variants as (

    select * from {{ ref('stg_shopify__product_variants') }}

),

variant_summary as (

    select
        product_dlt_id,
        count(*) as variants_count,
        {{ first_in_order('sku', ['position', 'variant_id']) }} as first_sku

    from variants
    group by product_dlt_id

),

final as (

    select
        cast('shopify' as {{ dbt.type_string() }}) as platform,
        products.store,
        products.product_id,
        products.product_name,
        nullif(products.product_type, '') as category,
        cast(null as {{ dbt.type_string() }}) as category_id,
        nullif(products.vendor, '') as vendor,
        variant_summary.first_sku as sku,
        products.handle,
        case
            when products.status in ('active', 'draft', 'archived') then products.status
            else 'active'
        end as status,
        coalesce(variant_summary.variants_count, 0) as variants_count,
        products.created_at,
        products.updated_at,
        products.is_deleted,
        products.deleted_at

    from products
    left join variant_summary
        on variant_summary.product_dlt_id = products.product_dlt_id

)

select * from final
