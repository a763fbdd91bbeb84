{#- One row per registered customer account of every platform (int_<platform>__customers). -#}
with

unioned as (
    {{ union_platforms('customers') }}
),

final as (

    select
        {{ platform_key('platform', 'store', 'customer_id') }} as customer_account_key,
        *

    from unioned

)

-- the columns are the platform models' contract (_int_platforms__models.yml)
select * from final  -- noqa: AM04
