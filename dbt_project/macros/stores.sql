{#
    `store` on every row: the store identifier of a platform, from the dbt vars
    `shopify_store`, `woocommerce_store`, `commercetools_store` (see dbt_project.yml).
    The raw schemas hold one store per platform, so the identifier is configuration,
    not data; set it to something stable (the shop domain, site host, project key).
#}
{% macro store_for(platform) -%}
    {%- set value = var(platform ~ '_store', 'default') -%}
    '{{ value | replace("'", "''") }}'::text
{%- endmacro %}


{#- Surrogate key text: platform|store|id (ids never collide across platforms or stores). -#}
{% macro platform_key(platform, store, id) -%}
    ({{ platform }} || '|' || {{ store }} || '|' || {{ id }})
{%- endmacro %}


{#- The platforms the project models, in the order the union models list them. -#}
{% macro platforms() -%}
    {{ return(['shopify', 'woocommerce', 'commercetools']) }}
{%- endmacro %}
