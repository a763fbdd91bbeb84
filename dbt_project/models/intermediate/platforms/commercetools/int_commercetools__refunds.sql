{#-
    commercetools refunds in the shared refund contract (_int_platforms__models.yml):
    orders carry no refund object; a refund is a successful `Refund` transaction on the
    order's payment, dated by its timestamp.
-#}
with

payment_transactions as (

    select * from {{ ref('stg_commercetools__order_payment_transactions') }}

),

final as (

    select
        cast('commercetools' as {{ dbt.type_string() }}) as platform,
        store,
        order_dlt_id,
        transaction_id as refund_id,
        transacted_at as refunded_at,
        coalesce(amount, 0) as refund_amount

    from payment_transactions
    where transaction_type = 'Refund'
        and coalesce(transaction_state, 'Success') = 'Success'

)

select * from final
