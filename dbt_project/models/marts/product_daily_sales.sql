{#-
    Units and revenue per product and day (top sellers, trends): order lines of
    counted orders (not cancelled/failed/voided, never tests) by the order's date,
    revenue = line totals after discounts, before tax and shipping, in the
    reporting currency. Refunds are not allocated to products.
-#}
with

order_items as (

    select * from {{ ref('order_items') }}
    where not is_cancelled

),

products as (

    select product_key, product_name from {{ ref('products') }}

),

aggregated as (

    select
        ordered_date as date,
        platform,
        store,
        product_key,
        product_id,
        max(item_name) as item_name,
        count(distinct order_key) as orders,
        sum(quantity) as units,
        coalesce(sum(line_total_reporting), 0) as revenue,
        count(*) filter (where is_currency_unknown) as unconverted_lines

    from order_items
    group by ordered_date, platform, store, product_key, product_id

),

final as (

    select
        aggregated.date,
        aggregated.platform,
        aggregated.store,
        aggregated.product_key,
        aggregated.product_id,
        coalesce(products.product_name, aggregated.item_name) as product_name,
        cast(aggregated.orders as integer) as orders,
        cast(aggregated.units as bigint) as units,
        aggregated.revenue,
        upper('{{ var("reporting_currency", "USD") }}') as reporting_currency,
        cast(aggregated.unconverted_lines as integer) as unconverted_lines

    from aggregated
    left join products
        on products.product_key = aggregated.product_key

)

select * from final
