{#-
    One row per product of every platform (int_<platform>__products): category,
    vendor, SKU and a status of active (sellable), draft or archived, each platform's
    own mapped in its model.
-#}
-- the columns are the platform models' contract (_int_platforms__models.yml)
select
    {{ platform_key('platform', 'store', 'product_id') }} as product_key,
    *  -- noqa: AM04
from (
    {{ union_platforms('products') }}
) as unioned
