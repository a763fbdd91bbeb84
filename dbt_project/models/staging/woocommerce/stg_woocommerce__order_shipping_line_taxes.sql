with

source as (

    {{ typed_source('woocommerce', 'orders__shipping_lines__taxes', {
        'id': 'text',
        'total': 'numeric',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
        '_dlt_root_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        _dlt_id as shipping_tax_dlt_id,
        _dlt_parent_id as shipping_line_dlt_id,
        _dlt_root_id as order_dlt_id,
        id as tax_rate_id,

        ---------- money
        total as tax_total,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
