with

source as (

    {{ typed_source('shopify', 'orders__refunds', {
        'id': 'text',
        'legacy_resource_id': 'text',
        'note': 'text',
        'created_at': 'timestamp',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

orders as (

    {{ shopify_parents('orders') }}

),

final as (

    select
        ----------  ids (Shopify's numeric ids)
        {{ shopify_numeric_id('source.legacy_resource_id', 'source.id') }} as refund_id,
        source._dlt_id as refund_dlt_id,
        source._dlt_parent_id as order_dlt_id,
        orders.numeric_id as order_id,

        ---------- text
        source.note,

        ---------- booleans (the GraphQL Refund has no restock flag: see the refund line items)
        cast(null as boolean) as is_restock,

        ---------- timestamps (UTC; the GraphQL Refund has no processed_at)
        source.created_at,
        cast(null as timestamp) as processed_at,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        source.store

    from source
    left join orders
        on orders._dlt_id = source._dlt_parent_id
        and orders.store = source.store

)

select * from final
