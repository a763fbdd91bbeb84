{{
    config(
        indexes=[{'columns': ['order_key']}, {'columns': ['loaded_at']}],
        post_hook="{{ analyze_after_incremental_run() }}"
    )
}}
{#-
    Orders with the person behind them, reporting-currency amounts and refunds.

    customer_key (identity resolution), first match wins:
      1. a registered customer found in the platform's customers: that account's key
         (its normalised e-mail, else platform + store + account id);
      2. otherwise the order's own e-mail (guest checkout; WooCommerce billing e-mail),
         normalised, so a guest and a registered account with the same address are
         one person;
      3. otherwise a customer id the customers table does not know: platform + store + id;
      4. otherwise NULL: an anonymous order (e.g. a POS walk-in without e-mail). It
         counts in revenue but belongs to no customer.
    Deleted orders (is_deleted, macros/deleted_records.sql) are left out, so every mart
    built from this model (orders, order_items, daily_metrics, customers, RFM, CLV)
    leaves them out too.
    Incremental: the changed orders are recomputed (macros/incremental.sql); an order
    deleted or restored since the last run is a changed order.
-#}

with

orders as (

    select * from {{ ref('int_orders_unioned') }} as orders
    -- replace_rows: the pre-hook removes the changed orders first, so a deleted one (left out here) leaves
    where {{ incremental_slice(replace_rows=true) }}
        and not orders.is_deleted

),

customer_accounts as (

    select platform, store, customer_id, customer_key from {{ ref('int_customer_accounts') }}

),

exchange_rates as (

    select * from {{ ref('int_order_exchange_rates') }}
    where order_key in (select orders.order_key from orders)

),

refunds as (

    select * from {{ ref('int_refunds_enriched') }}
    where order_key in (select orders.order_key from orders)

),

identified as (

    select
        orders.*,
        {{ normalize_email('orders.order_email') }} as order_email_normalized,
        customer_accounts.customer_key as account_customer_key

    from orders
    left join customer_accounts
        on customer_accounts.platform = orders.platform
        and customer_accounts.store = orders.store
        and customer_accounts.customer_id = orders.customer_id

),

keyed as (

    select
        *,
        case
            when account_customer_key is not null then account_customer_key
            when order_email_normalized is not null then {{ customer_key_from_email('order_email_normalized') }}
            when customer_id is not null then {{ customer_key_from_account('platform', 'store', 'customer_id') }}
        end as customer_key

    from identified

),

refunds_per_order as (

    select
        order_key,
        count(*) as refunds_count,
        sum(refund_amount) as refunded,
        sum(refund_amount_reporting) as refunded_reporting,
        min(refunded_at) as first_refunded_at,
        max(refunded_at) as last_refunded_at

    from refunds
    group by order_key

),

converted as (

    select
        keyed.*,
        exchange_rates.reporting_currency,
        exchange_rates.exchange_rate,
        exchange_rates.is_currency_unknown,
        coalesce(refunds_per_order.refunds_count, 0) as refunds_count,
        coalesce(refunds_per_order.refunded, 0) as refunded,
        {{ to_reporting('keyed.order_total', 'exchange_rates.exchange_rate') }} as order_total_reporting,
        {{ to_reporting('keyed.subtotal', 'exchange_rates.exchange_rate') }} as subtotal_reporting,
        case
            when exchange_rates.exchange_rate is not null then coalesce(refunds_per_order.refunded_reporting, 0)
        end as refunded_reporting,
        refunds_per_order.first_refunded_at,
        refunds_per_order.last_refunded_at

    from keyed
    inner join exchange_rates
        on exchange_rates.order_key = keyed.order_key
    left join refunds_per_order
        on refunds_per_order.order_key = keyed.order_key

),

final as (

    select
        order_key,
        platform,
        store,
        order_id,
        order_number,
        customer_key,
        customer_id,
        customer_id is null as is_guest,
        order_email_normalized as order_email,
        ordered_at,
        updated_at,
        cancelled_at,
        platform_status,
        status,
        is_test,
        is_cancelled,
        source,
        billing_country_code,
        currency,
        order_total,
        subtotal,
        tax_total,
        shipping_total,
        discount_total,
        refunds_count,
        refunded,
        case when is_cancelled then 0 else order_total - refunded end as net_revenue,
        reporting_currency,
        exchange_rate,
        is_currency_unknown,
        order_total_reporting,
        subtotal_reporting,
        refunded_reporting,
        case when is_cancelled then 0 else order_total_reporting end as revenue_reporting,
        case when is_cancelled then 0 else order_total_reporting - refunded_reporting end as net_revenue_reporting,
        first_refunded_at,
        last_refunded_at,
        loaded_at

    from converted

)

select * from final
