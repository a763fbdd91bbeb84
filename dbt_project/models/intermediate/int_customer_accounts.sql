{#-
    Identity resolution for registered customers: every platform account gets the
    customer_key of the person behind it. Accounts with the same normalised e-mail
    (lower-cased, trimmed) are one person on every platform; an account without a
    usable e-mail is a person of its own, keyed by platform + store + account id.
-#}
with

customers as (

    select * from {{ ref('int_customers_unioned') }}
    where not is_deleted  -- a deleted account is no person; its orders fall back to their own e-mail

),

normalized as (

    select
        *,
        {{ normalize_email('email') }} as email_normalized

    from customers

),

final as (

    select
        customer_account_key,
        platform,
        store,
        customer_id,
        case
            when email_normalized is not null then {{ customer_key_from_email('email_normalized') }}
            else {{ customer_key_from_account('platform', 'store', 'customer_id') }}
        end as customer_key,
        email_normalized,
        email_normalized is not null as is_keyed_by_email,
        first_name,
        last_name,
        country_code,
        created_at,
        updated_at,
        loaded_at

    from normalized

)

select * from final
