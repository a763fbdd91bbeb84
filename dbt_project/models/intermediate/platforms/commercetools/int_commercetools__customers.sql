{#-
    commercetools customer accounts in the shared customer contract
    (_int_platforms__models.yml): the customer has no country of its own; it is the
    country of the default billing address, else of the first address.
-#}
with

customers as (

    select * from {{ ref('stg_commercetools__customers') }}

),

addresses as (

    select * from {{ ref('stg_commercetools__customer_addresses') }}

),

countries as (

    {{ first_row_per(
        'customers.customer_dlt_id',
        ['customers.customer_dlt_id', 'addresses.country_code'],
        'from customers inner join addresses on addresses.customer_dlt_id = customers.customer_dlt_id',
        'addresses.address_id is not distinct from customers.default_billing_address_id desc, addresses.position',
    ) }}

),

final as (

    select
        cast('commercetools' as {{ dbt.type_string() }}) as platform,
        customers.store,
        customers.customer_id,
        customers.email,
        customers.first_name,
        customers.last_name,
        countries.country_code,
        customers.created_at,
        customers.updated_at,
        customers.is_deleted,
        customers.deleted_at,
        customers.loaded_at

    from customers
    left join countries
        on countries.customer_dlt_id = customers.customer_dlt_id

)

select * from final
