{#- One row per product of every platform (the product catalogue as each store has it; deleted products left out). -#}
with

products as (

    select * from {{ ref('int_products_unioned') }}
    where not is_deleted

),

final as (

    select
        product_key,
        platform,
        store,
        product_id,
        product_name,
        category,
        category_id,
        vendor,
        sku,
        handle,
        status,
        cast(variants_count as integer) as variants_count,
        created_at,
        updated_at

    from products

)

select * from final
