with

source as (

    {{ typed_source('woocommerce', 'orders__shipping_lines', {
        'id': 'text',
        'method_id': 'text',
        'method_title': 'text',
        'instance_id': 'text',
        'tax_status': 'text',
        'total': 'numeric',
        'total_tax': 'numeric',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as shipping_line_id,
        _dlt_id as shipping_line_dlt_id,
        _dlt_parent_id as order_dlt_id,
        instance_id as shipping_instance_id,

        ---------- text
        method_id as shipping_code,
        method_title as shipping_method,
        tax_status,

        ---------- money
        total as shipping_total,
        total_tax as shipping_tax,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
