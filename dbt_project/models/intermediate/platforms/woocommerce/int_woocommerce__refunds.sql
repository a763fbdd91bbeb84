{#-
    WooCommerce refunds in the shared refund contract (_int_platforms__models.yml). The
    order object carries no refund date: refunded_at is NULL, and int_refunds_unioned
    dates the refund by the order's last modification (date_modified_gmt), as for any
    refund without a date.
-#}
with

refunds as (

    select * from {{ ref('stg_woocommerce__order_refunds') }}

),

final as (

    select
        cast('woocommerce' as {{ dbt.type_string() }}) as platform,
        store,
        order_dlt_id,
        coalesce(refund_id, 'dlt:' || refund_dlt_id) as refund_id,
        cast(null as timestamp) as refunded_at,
        coalesce(refund_amount, 0) as refund_amount

    from refunds

)

select * from final
