{#-
    commercetools products in the shared product contract (_int_platforms__models.yml):
    the product holds only category references, so category is NULL and category_id
    keeps the first reference; a published product is active, else draft.
-#}
with

products as (

    select * from {{ ref('stg_commercetools__products') }}

),

final as (

    select
        cast('commercetools' as {{ dbt.type_string() }}) as platform,
        store,
        product_id,
        product_name,
        cast(null as {{ dbt.type_string() }}) as category,
        category_id,
        cast(null as {{ dbt.type_string() }}) as vendor,
        sku,
        handle,
        case when is_published then 'active' else 'draft' end as status,
        cast(variants_count as bigint) as variants_count,
        created_at,
        updated_at,
        is_deleted,
        deleted_at

    from products

)

select * from final
