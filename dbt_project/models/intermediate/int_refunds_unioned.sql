{{ config(indexes=[{'columns': ['order_key']}, {'columns': ['loaded_at']}]) }}
{#-
    One row per refund of every platform (int_<platform>__refunds, where each platform
    dates its refunds and computes their amount): when money went back and how much, in
    the order's currency. A refund without a usable date is dated by its order's last
    modification (a WooCommerce refund listed on its order but not read from
    GET orders/<id>/refunds yet, e.g. data loaded by an older version).
    Incremental: all refunds of the changed orders are replaced (macros/incremental.sql).
-#}

with

orders as (

    select orders.order_key, orders.platform, orders.store, orders.order_dlt_id, orders.updated_at, orders.loaded_at
    from {{ ref('int_orders_unioned') }} as orders
    -- refunds are sparse: the watermark is int_orders_enriched's (macros/incremental.sql)
    where {{ incremental_slice(customers=false, watermarks_from='int_orders_enriched', replace_rows=true) }}

),

unioned as (
    {{ union_platforms('refunds', orders_in_scope=true) }}
),

final as (

    select
        orders.order_key || '|' || unioned.refund_id as refund_key,
        orders.order_key,
        unioned.platform,
        unioned.order_dlt_id,
        unioned.refund_id,
        -- a refund without a usable date falls back to the order's last modification
        coalesce(unioned.refunded_at, orders.updated_at, orders.loaded_at) as refunded_at,
        unioned.refund_amount,
        orders.loaded_at

    from unioned
    inner join orders
        on orders.platform = unioned.platform
        and orders.store = unioned.store
        and orders.order_dlt_id = unioned.order_dlt_id

)

select * from final
