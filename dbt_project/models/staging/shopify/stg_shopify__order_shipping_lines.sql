with

source as (

    {{ typed_source('shopify', 'orders__shipping_lines', {
        'id': 'text',
        'code': 'text',
        'title': 'text',
        'source': 'text',
        'original_price_set__shop_money__amount': 'numeric',
        'discounted_price_set__shop_money__amount': 'numeric',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        {{ gid_number('id') }} as shipping_line_id,
        _dlt_parent_id as order_dlt_id,

        ---------- text
        code as shipping_code,
        title as shipping_method,
        source as shipping_source,

        ---------- money (shop currency)
        original_price_set__shop_money__amount as shipping_price,
        discounted_price_set__shop_money__amount as shipping_price_after_discounts,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
