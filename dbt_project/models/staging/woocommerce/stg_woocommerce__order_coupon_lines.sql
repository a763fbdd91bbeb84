with

source as (

    {{ typed_source('woocommerce', 'orders__coupon_lines', {
        'id': 'text',
        'code': 'text',
        'discount': 'numeric',
        'discount_tax': 'numeric',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as coupon_line_id,
        _dlt_parent_id as order_dlt_id,

        ---------- text
        lower(code) as coupon_code,

        ---------- money
        discount as discount_amount,
        discount_tax,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
