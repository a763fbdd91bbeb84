{#-
    One row per transaction of an order's (expanded) Payment: Authorization, Charge,
    Refund, CancelAuthorization. The transactions sit four levels deep in the order
    (paymentInfo.payments[].obj.transactions[]), deeper than the loader's dlt nesting
    limit, so dlt keeps them as a JSON array in `obj__transactions`; this model reads
    that array (one row per element), which is the raw table's own content.
-#}
with

source as (

    {{ typed_source('commercetools', 'orders__payment_info__payments', {
        'id': 'text',
        'obj__transactions': 'json',
        '_dlt_id': 'text',
        '_dlt_root_id': 'text',
    }) }}

),

transactions as (

    select
        source.store,
        source.id as payment_id,
        source._dlt_id as payment_dlt_id,
        source._dlt_root_id as order_dlt_id,
        transaction.value as doc,
        transaction.position

    from source
    {{ join_json_array('source.obj__transactions', 'transaction') }}

),

final as (

    select
        ----------  ids
        coalesce({{ json_path('doc', ['id']) }}, payment_dlt_id || ':' || position) as transaction_id,
        payment_id,
        payment_dlt_id,
        order_dlt_id,
        {{ json_path('doc', ['interactionId']) }} as interaction_id,

        ---------- text
        {{ json_path('doc', ['type']) }} as transaction_type,
        {{ json_path('doc', ['state']) }} as transaction_state,
        upper({{ json_path('doc', ['amount', 'currencyCode']) }}) as currency,

        ---------- money (CentPrecisionMoney: centAmount / 10^fractionDigits)
        {{ cents_to_amount(
            cast_raw_value(json_path('doc', ['amount', 'centAmount']), 'text', 'bigint'),
            cast_raw_value(json_path('doc', ['amount', 'fractionDigits']), 'text', 'integer')
        ) }} as amount,

        ---------- timestamps (UTC)
        {{ cast_raw_value(json_path('doc', ['timestamp']), 'text', 'timestamp') }} as transacted_at,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from transactions

)

select * from final
