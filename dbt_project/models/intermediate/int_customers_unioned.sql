{#- One row per registered customer account of every platform (int_<platform>__customers). -#}
-- the columns are the platform models' contract (_int_platforms__models.yml)
select
    {{ platform_key('platform', 'store', 'customer_id') }} as customer_account_key,
    *  -- noqa: AM04
from (
    {{ union_platforms('customers') }}
) as unioned
