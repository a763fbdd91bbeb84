{#
    Identity resolution. One person = one normalised email, on every platform.

    normalize_email: lower-cased, trimmed; NULL when empty or not an address
    (values such as 'n/a' must not merge unrelated people into one customer).
#}
{% macro normalize_email(expression) -%}
    case
        when {{ regex_matches('lower(trim(' ~ expression ~ '))', '^[^@\\s]+@[^@\\s]+$') }}
            then lower(trim({{ expression }}))
    end
{%- endmacro %}


{#- The key of a person known by a normalised email (same on every platform). -#}
{% macro customer_key_from_email(normalized_email) -%}
    md5('email:' || {{ normalized_email }})
{%- endmacro %}


{#- The key of a registered customer without a usable email: platform + store + account id. -#}
{% macro customer_key_from_account(platform, store, customer_id) -%}
    md5('account:' || {{ platform }} || '|' || {{ store }} || '|' || {{ customer_id }})
{%- endmacro %}
