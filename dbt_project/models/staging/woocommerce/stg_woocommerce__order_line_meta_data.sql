with

source as (

    {{ typed_source('woocommerce', 'orders__line_items__meta_data', {
        'id': 'text',
        'key': 'text',
        'value': 'text',
        'display_key': 'text',
        'display_value': 'text',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
        '_dlt_root_id': 'text',
    }) }}

),

final as (

    select
        ----------  ids
        id as meta_id,
        _dlt_parent_id as order_item_dlt_id,
        _dlt_root_id as order_dlt_id,

        ---------- text (e.g. key pa_size, display_key Size, display_value M)
        key as meta_key,
        value as meta_value,
        display_key,
        display_value,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        store

    from source

)

select * from final
