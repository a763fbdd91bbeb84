{{
    config(
        materialized='incremental',
        unique_key='order_key',
        incremental_strategy='delete+insert',
        indexes=[{'columns': ['order_key']}, {'columns': ['loaded_at']}],
        on_schema_change='append_new_columns',
        pre_hook="{{ delete_changed_orders(customers=false, watermarks_from='int_orders_enriched') }}"
    )
}}
{#-
    One row per refund of every platform: when money went back and how much, in the
    order's currency. Refunds are dated:
      * Shopify: the refund's processed_at (else created_at). The amount in the
        shop currency is what its refund line items give back (subtotal + tax) plus
        its order adjustments (shipping refunds, discrepancies; negative amounts are
        refunded). Refund transactions are in the presentment currency, so they are
        used only for a refund without line items or adjustments, converted with the
        order's own shop/presentment ratio when their currency differs;
      * WooCommerce: the order object carries no refund date, so a refund is dated
        by the order's date_modified_gmt (the sandbox generator documents the same);
      * commercetools: orders carry no refund object; a refund is a successful
        `Refund` transaction on the order's payment, dated by its timestamp.
    Incremental: all refunds of the changed orders are replaced (macros/incremental.sql).
-#}
{#- refunds are sparse: the watermark is int_orders_enriched's (macros/incremental.sql) -#}
{%- set watermarks = incremental_watermarks('loaded_at', 'int_orders_enriched') %}

with

orders as (

    select orders.order_key, orders.platform, orders.order_dlt_id, orders.updated_at, orders.loaded_at
    from {{ ref('int_orders_unioned') }} as orders
    {%- if is_incremental() %}
    where {{ order_changed_since(watermarks, customers=false) }}
    {%- endif %}

),

shopify_orders as (

    select * from {{ ref('stg_shopify__orders') }}

),

shopify_refund_line_items as (

    select * from {{ ref('stg_shopify__order_refund_line_items') }}

),

shopify_refund_adjustments as (

    select * from {{ ref('stg_shopify__order_refund_adjustments') }}

),

shopify_refunds as (

    select * from {{ ref('stg_shopify__order_refunds') }}
    {{- where_order_in_scope('shopify') }}

),

shopify_refund_transactions as (

    select * from {{ ref('stg_shopify__order_refund_transactions') }}
    {{- where_order_in_scope('shopify') }}

),

woocommerce_refunds as (

    select * from {{ ref('stg_woocommerce__order_refunds') }}
    {{- where_order_in_scope('woocommerce') }}

),

commercetools_payment_transactions as (

    select * from {{ ref('stg_commercetools__order_payment_transactions') }}
    {{- where_order_in_scope('commercetools') }}

),

shopify_refund_components as (

    select
        refund_dlt_id,
        coalesce(subtotal, 0) + coalesce(tax_total, 0) as amount

    from shopify_refund_line_items

    union all

    select
        refund_dlt_id,
        -(coalesce(amount, 0) + coalesce(tax_amount, 0)) as amount

    from shopify_refund_adjustments

),

shopify_refund_calculated as (

    select
        refund_dlt_id,
        sum(amount) as refund_amount

    from shopify_refund_components
    group by refund_dlt_id

),

shopify_refund_transacted as (

    select
        shopify_refund_transactions.refund_dlt_id,
        sum(
            case
                when shopify_refund_transactions.currency is null
                    or shopify_refund_transactions.currency = shopify_orders.currency
                    then shopify_refund_transactions.amount
                else round(
                    shopify_refund_transactions.amount * shopify_orders.order_total
                    / nullif(shopify_orders.order_total_presentment, 0),
                    2
                )
            end
        ) as refund_amount

    from shopify_refund_transactions
    inner join shopify_orders
        on shopify_orders.order_dlt_id = shopify_refund_transactions.order_dlt_id
    where coalesce(shopify_refund_transactions.kind, 'refund') = 'refund'
        and coalesce(shopify_refund_transactions.status, 'success') = 'success'
    group by shopify_refund_transactions.refund_dlt_id

),

shopify as (

    select
        'shopify'::text as platform,
        shopify_refunds.order_dlt_id,
        coalesce(shopify_refunds.refund_id, 'dlt:' || shopify_refunds.refund_dlt_id) as refund_id,
        coalesce(shopify_refunds.processed_at, shopify_refunds.created_at) as refunded_at,
        coalesce(shopify_refund_calculated.refund_amount, shopify_refund_transacted.refund_amount, 0)
            as refund_amount

    from shopify_refunds
    left join shopify_refund_calculated
        on shopify_refund_calculated.refund_dlt_id = shopify_refunds.refund_dlt_id
    left join shopify_refund_transacted
        on shopify_refund_transacted.refund_dlt_id = shopify_refunds.refund_dlt_id

),

woocommerce as (

    select
        'woocommerce'::text as platform,
        woocommerce_refunds.order_dlt_id,
        coalesce(woocommerce_refunds.refund_id, 'dlt:' || woocommerce_refunds.refund_dlt_id) as refund_id,
        orders.updated_at as refunded_at,
        coalesce(woocommerce_refunds.refund_amount, 0) as refund_amount

    from woocommerce_refunds
    inner join orders
        on orders.platform = 'woocommerce'
        and orders.order_dlt_id = woocommerce_refunds.order_dlt_id

),

commercetools as (

    select
        'commercetools'::text as platform,
        order_dlt_id,
        transaction_id as refund_id,
        transacted_at as refunded_at,
        coalesce(amount, 0) as refund_amount

    from commercetools_payment_transactions
    where transaction_type = 'Refund'
        and coalesce(transaction_state, 'Success') = 'Success'

),

unioned as (

    select * from shopify
    union all
    select * from woocommerce
    union all
    select * from commercetools

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
        and orders.order_dlt_id = unioned.order_dlt_id

)

select * from final
