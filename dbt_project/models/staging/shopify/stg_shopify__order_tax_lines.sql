with

source as (

    {{ typed_source('shopify', 'orders__tax_lines', {
        'title': 'text',
        'rate': 'numeric',
        'price_set__shop_money__amount': 'numeric',
        'channel_liable': 'boolean',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        _dlt_id as tax_line_dlt_id,
        _dlt_parent_id as order_dlt_id,

        ---------- text
        title as tax_name,

        ---------- numerics (shop currency)
        rate as tax_rate,
        price_set__shop_money__amount as tax_amount,

        ---------- booleans
        channel_liable as is_channel_liable,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
