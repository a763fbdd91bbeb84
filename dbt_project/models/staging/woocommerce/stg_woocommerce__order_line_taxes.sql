with

source as (

    {{ typed_source('woocommerce', 'orders__line_items__taxes', {
        'id': 'text',
        'total': 'numeric',
        'subtotal': 'numeric',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
        '_dlt_root_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        _dlt_id as line_tax_dlt_id,
        _dlt_parent_id as order_item_dlt_id,
        _dlt_root_id as order_dlt_id,
        -- the tax rate's id (orders__tax_lines.rate_id)
        id as tax_rate_id,

        ---------- money
        total as tax_total,
        subtotal as tax_subtotal,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
