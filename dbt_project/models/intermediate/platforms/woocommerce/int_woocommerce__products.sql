{#-
    WooCommerce products in the shared product contract (_int_platforms__models.yml):
    category is the first category; status maps publish -> active, private -> archived,
    anything else (draft, pending) -> draft; a simple product is one variant.
-#}
with

products as (

    select * from {{ ref('stg_woocommerce__products') }}

),

categories as (

    select * from {{ ref('stg_woocommerce__product_categories') }}

),

variations as (

    select * from {{ ref('stg_woocommerce__product_variations') }}

),

first_category as (

    {{ first_row_per(
        'product_dlt_id', ['product_dlt_id', 'category_id', 'category_name'], 'from categories', 'position'
    ) }}

),

variation_counts as (

    select
        product_dlt_id,
        count(*) as variants_count

    from variations
    group by product_dlt_id

),

final as (

    select
        cast('woocommerce' as {{ dbt.type_string() }}) as platform,
        products.store,
        products.product_id,
        products.product_name,
        first_category.category_name as category,
        first_category.category_id,
        cast(null as {{ dbt.type_string() }}) as vendor,
        products.sku,
        products.handle,
        case products.status
            when 'publish' then 'active'
            when 'private' then 'archived'
            else 'draft'
        end as status,
        coalesce(variation_counts.variants_count, 1) as variants_count,
        products.created_at,
        products.updated_at,
        products.is_deleted,
        products.deleted_at

    from products
    left join first_category
        on first_category.product_dlt_id = products.product_dlt_id
    left join variation_counts
        on variation_counts.product_dlt_id = products.product_dlt_id

)

select * from final
