{#-
    One row per person (customer_key): registered accounts on any platform and guests
    known by the e-mail on their orders, merged by normalised e-mail. Names and country
    come from the most recently updated account (else the latest order). `platform`
    and `store` are where the person was first seen (account created or first order).
-#}
with

customer_accounts as (

    select * from {{ ref('int_customer_accounts') }}

),

orders as (

    select * from {{ ref('int_orders_enriched') }}
    where not is_test
        and customer_key is not null

),

sightings as (

    select
        customer_key,
        platform,
        store,
        coalesce(created_at, updated_at, loaded_at) as seen_at,
        customer_id,
        email_normalized as email,
        first_name,
        last_name,
        country_code,
        coalesce(updated_at, created_at, loaded_at) as as_of,
        true as is_account

    from customer_accounts

    union all

    select
        customer_key,
        platform,
        store,
        ordered_at as seen_at,
        customer_id,
        order_email as email,
        cast(null as {{ dbt.type_string() }}) as first_name,
        cast(null as {{ dbt.type_string() }}) as last_name,
        billing_country_code as country_code,
        ordered_at as as_of,
        false as is_account

    from orders

),

ranked as (

    select
        *,
        row_number() over (
            partition by customer_key
            order by seen_at asc nulls last, platform, store
        ) as first_seen_rank,
        row_number() over (
            partition by customer_key
            order by is_account desc, as_of desc nulls last, platform, store
        ) as profile_rank,
        row_number() over (
            partition by customer_key
            order by (email is null), as_of desc nulls last, platform, store
        ) as email_rank

    from sightings

),

first_seen as (

    select customer_key, platform, store, seen_at as first_seen_at
    from ranked
    where first_seen_rank = 1

),

profile as (

    select customer_key, first_name, last_name, country_code
    from ranked
    where profile_rank = 1

),

emails as (

    select customer_key, email
    from ranked
    where email_rank = 1

),

latest_country as (

    {{ first_row_per(
        'customer_key',
        ['customer_key', 'country_code'],
        'from ranked where country_code is not null',
        'is_account desc, as_of desc nulls last',
    ) }}

),

accounts_per_customer as (

    select
        customer_key,
        count(distinct platform || '|' || store || '|' || customer_id) filter (where is_account) as accounts_count,
        {{ sorted_distinct_list('platform', "','") }} as platforms

    from ranked
    group by customer_key

),

final as (

    select
        first_seen.customer_key,
        first_seen.platform,
        first_seen.store,
        emails.email,
        profile.first_name,
        profile.last_name,
        coalesce(profile.country_code, latest_country.country_code) as country_code,
        accounts_per_customer.platforms,
        cast(accounts_per_customer.accounts_count as integer) as accounts_count,
        accounts_per_customer.accounts_count > 0 as is_registered,
        first_seen.first_seen_at

    from first_seen
    inner join profile
        on profile.customer_key = first_seen.customer_key
    inner join emails
        on emails.customer_key = first_seen.customer_key
    inner join accounts_per_customer
        on accounts_per_customer.customer_key = first_seen.customer_key
    left join latest_country
        on latest_country.customer_key = first_seen.customer_key

)

select * from final
