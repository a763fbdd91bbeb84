with

source as (

    {{ typed_source('woocommerce', 'orders__tax_lines', {
        'id': 'text',
        'rate_id': 'text',
        'rate_code': 'text',
        'label': 'text',
        'compound': 'boolean',
        'rate_percent': 'numeric',
        'tax_total': 'numeric',
        'shipping_tax_total': 'numeric',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as tax_line_id,
        _dlt_parent_id as order_dlt_id,
        rate_id as tax_rate_id,

        ---------- text
        rate_code,
        label as tax_name,

        ---------- numerics
        rate_percent,
        tax_total,
        shipping_tax_total,

        ---------- booleans
        compound as is_compound,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
