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
        store,
        id as shipping_line_id,
        _dlt_parent_id as order_dlt_id,

        ---------- text
        code as shipping_code,
        title as shipping_method,
        source as shipping_source,

        ---------- money (shop currency)
        price as shipping_price,
        discounted_price as shipping_price_after_discounts

    from source

)

select * from final
