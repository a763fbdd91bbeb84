{#
    `store` on every row is the store identifier the loader read from the store itself
    (shop domain, site host, project key) into each raw dataset's `store` table; see
    dataset_store in macros/typed_source.sql.
#}

{#- Surrogate key text: platform|store|id (ids never collide across platforms or stores). -#}
{% macro platform_key(platform, store, id) -%}
    ({{ platform }} || '|' || {{ store }} || '|' || {{ id }})
{%- endmacro %}


{#- The platforms the project models, in the order the union models list them. -#}
{% macro platforms() -%}
    {{ return(['shopify', 'woocommerce', 'commercetools']) }}
{%- endmacro %}
