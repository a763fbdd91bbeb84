{#-
    WooCommerce refunds in the shared refund contract (_int_platforms__models.yml). The
    order object lists its refunds as {id, reason, total} without a date; the loader
    reads GET /orders/<id>/refunds for the orders whose list changed, and refunded_at is
    that refund's own date_created_gmt, so net revenue lands on the refund day. The
    order's list decides which refunds exist (a refund deleted in the admin leaves it); a
    listed refund not read yet (data loaded by an older version) has no date and is dated
    by the order's last modification in int_refunds_unioned.
-#}
with

refunds as (

    select * from {{ ref('stg_woocommerce__order_refunds') }}

),

dated as (

    select * from {{ ref('stg_woocommerce__refunds') }}

),

final as (

    select
        'woocommerce'::text as platform,
        refunds.store,
        refunds.order_dlt_id,
        coalesce(refunds.refund_id, 'dlt:' || refunds.refund_dlt_id) as refund_id,
        dated.refunded_at,
        coalesce(refunds.refund_amount, 0) as refund_amount

    from refunds
    left join dated
        on refunds.store = dated.store
        and refunds.refund_id = dated.refund_id

)

select * from final
