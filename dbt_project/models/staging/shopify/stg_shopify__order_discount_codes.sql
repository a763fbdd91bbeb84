{#-
    GraphQL lists an order's codes as plain strings (`discountCodes`); the type and amount
    the REST API gave with each come from the code's discount application and the line
    allocations that point at it.
-#}
with

source as (

    {{ typed_source('shopify', 'orders__discount_codes', {
        'value': 'text',
        '_dlt_id': 'text',
        '_dlt_parent_id': 'text',
    }) }}

),

applications as (

    select * from {{ ref('stg_shopify__order_discount_applications') }}
    where discount_type = 'discount_code'

),

allocations as (

    select
        order_dlt_id,
        discount_application_index,
        sum(discount_amount) as discount_amount

    from {{ ref('stg_shopify__order_line_discount_allocations') }}
    group by order_dlt_id, discount_application_index

),

final as (

    select
        ----------  ids
        source._dlt_id as discount_code_dlt_id,
        source._dlt_parent_id as order_dlt_id,

        ---------- text
        source.value as discount_code,
        case
            when applications.target_type = 'shipping_line' then 'shipping'
            else applications.value_type
        end as discount_type,

        ---------- money (shop currency)
        allocations.discount_amount,

        ---------- the store the row was loaded from (macros/typed_source.sql)
        source.store

    from source
    left join applications
        on applications.order_dlt_id = source._dlt_parent_id
        and applications.discount_code = source.value
    left join allocations
        on allocations.order_dlt_id = applications.order_dlt_id
        and allocations.discount_application_index = applications.discount_application_index

)

select * from final
