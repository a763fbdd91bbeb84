with

source as (

    {{ typed_source('woocommerce', 'refunds__line_items', {
        'id': 'text',
        'product_id': 'text',
        'variation_id': 'text',
        'quantity': 'numeric',
        'total': 'numeric',
        'total_tax': 'numeric',
        'sku': 'text',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as refund_item_id,
        _dlt_id as refund_item_dlt_id,
        _dlt_parent_id as refund_dlt_id,
        nullif(product_id, '0') as product_id,
        -- 0: a simple product, no variation
        nullif(variation_id, '0') as variant_id,
        sku,

        ---------- numerics: WooCommerce stores refunded lines negative; these are positive
        -quantity as quantity,
        -total as line_total,
        -total_tax as line_tax,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
