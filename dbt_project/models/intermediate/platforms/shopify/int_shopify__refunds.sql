{#-
    Shopify refunds in the shared refund contract (_int_platforms__models.yml), dated by
    processed_at (else created_at). The amount in the shop currency is what the refund's
    line items and shipping lines give back (subtotal + tax) plus its order adjustments
    (discrepancies; negative amounts are refunded). Refund transactions are in the
    presentment currency, so they count only for a refund without line items or
    adjustments, converted with the order's own shop/presentment ratio when their
    currency differs.
-#}
with

orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

refunds as (

    select * from {{ ref('stg_shopify__order_refunds') }}

),

refund_line_items as (

    select * from {{ ref('stg_shopify__order_refund_line_items') }}

),

refund_adjustments as (

    select * from {{ ref('stg_shopify__order_refund_adjustments') }}

),

refund_shipping_lines as (

    select * from {{ ref('stg_shopify__order_refund_shipping_lines') }}

),

refund_transactions as (

    select * from {{ ref('stg_shopify__order_refund_transactions') }}

),

refund_components as (

    select
        refund_dlt_id,
        coalesce(subtotal, 0) + coalesce(tax_total, 0) as amount

    from refund_line_items

    union all

    select
        refund_dlt_id,
        coalesce(subtotal, 0) + coalesce(tax_total, 0) as amount

    from refund_shipping_lines

    union all

    select
        refund_dlt_id,
        -(coalesce(amount, 0) + coalesce(tax_amount, 0)) as amount

    from refund_adjustments

),

refund_calculated as (

    select
        refund_dlt_id,
        sum(amount) as refund_amount

    from refund_components
    group by refund_dlt_id

),

final as (

    select
        cast('shopify' as {{ dbt.type_string() }}) as platform,
        refunds.store,
        refunds.order_dlt_id,
        coalesce(refunds.refund_id, 'dlt:' || refunds.refund_dlt_id) as refund_id,
        coalesce(refunds.processed_at, refunds.created_at) as refunded_at,
        cast(coalesce(
            refund_calculated.refund_amount,
            sum(
                case
                    when refund_transactions.currency is null
                        or refund_transactions.currency = orders.currency
                        then refund_transactions.amount
                    else round(
                        refund_transactions.amount * orders.order_total
                        / nullif(orders.order_total_presentment, 0),
                        2
                    )
                end
            ),
            0
        ) as {{ money_type() }}) as refund_amount

    -- grouped by the refund's own columns, so an incremental run's filter on
    -- order_dlt_id reaches the raw refunds' index (and the order through its row id)
    from refunds
    left join refund_calculated
        on refund_calculated.refund_dlt_id = refunds.refund_dlt_id
    left join refund_transactions
        on refund_transactions.refund_dlt_id = refunds.refund_dlt_id
        and coalesce(refund_transactions.kind, 'refund') = 'refund'
        and coalesce(refund_transactions.status, 'success') = 'success'
    left join orders
        on orders.order_dlt_id = refunds.order_dlt_id
    group by
        refunds.store,
        refunds.order_dlt_id,
        refunds.refund_id,
        refunds.refund_dlt_id,
        refunds.processed_at,
        refunds.created_at,
        refund_calculated.refund_amount

)

select * from final
