with

source as (

    {{ typed_source('shopify', 'orders__refunds__order_adjustments', {
        'id': 'text',
        'reason': 'text',
        'amount_set__shop_money__amount': 'numeric',
        'tax_amount_set__shop_money__amount': 'numeric',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
        '_dlt_root_id': 'text',
    }) }}

),

refunds as (

    {{ shopify_parents('orders__refunds') }}

),

final as (

    select
        ----------  ids
        {{ gid_number('source.id') }} as adjustment_id,
        source._dlt_parent_id as refund_dlt_id,
        source._dlt_root_id as order_dlt_id,
        refunds.numeric_id as refund_id,

        ---------- text (an order adjustment is a refund discrepancy; shipping refunds are
        ---------- stg_shopify__order_refund_shipping_lines)
        cast('refund_discrepancy' as {{ dbt.type_string() }}) as kind,
        lower(source.reason) as reason,

        ---------- money (shop currency; negative = money given back)
        source.amount_set__shop_money__amount as amount,
        source.tax_amount_set__shop_money__amount as tax_amount,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        source.store

    from source
    left join refunds
        on refunds._dlt_id = source._dlt_parent_id
        and refunds.store = source.store

)

select * from final
