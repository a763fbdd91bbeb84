with

source as (

    {{ typed_source('shopify', 'orders__shipping_lines', {
        'id': 'text',
        'code': 'text',
        'title': 'text',
        'source': 'text',
        'price': 'numeric',
        'discounted_price': 'numeric',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as shipping_line_id,
        _dlt_parent_id as order_dlt_id,

        ---------- text
        code as shipping_code,
        title as shipping_method,
        source as shipping_source,

        ---------- money (shop currency)
        price as shipping_price,
        discounted_price as shipping_price_after_discounts,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
