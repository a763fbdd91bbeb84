{#-
    Shopify's GraphQL Admin objects in the raw tables (docs/analytics.md, "Shopify"): ids are
    GIDs (`gid://shopify/Order/123`) next to the numeric `legacy_resource_id`, enums are
    upper-case, lists of strings (tags) are child tables, amounts are MoneyBags.
-#}

{#- The numeric id of a node as text: its legacyResourceId, else the number in its GID. -#}
{% macro shopify_numeric_id(legacy_id, gid) -%}
    coalesce({{ legacy_id }}, {{ gid_number(gid) }})
{%- endmacro %}


{#-
    SELECT of the raw table `table_name`'s rows as parents of a child table: `_dlt_id`, `store`
    and `numeric_id` (the parent's numeric Shopify id), plus `columns` ({name: kind}). Join on
    the child's `_dlt_parent_id` and store, for the REST-era `order_id`/`customer_id` columns
    a GraphQL child node does not carry.
-#}
{% macro shopify_parents(table_name, columns={}) -%}
    {%- set wanted = {'id': 'text', 'legacy_resource_id': 'text', '_dlt_id': 'text'} -%}
    {%- do wanted.update(columns) %}
    select
        _dlt_id,
        store,
        {{ shopify_numeric_id('legacy_resource_id', 'id') }} as numeric_id
        {%- for name in columns %},
        {{ adapter.quote(name) }}
        {%- endfor %}
    from (
        {{ typed_source('shopify', table_name, wanted) | indent(8) }}
    ) as parents
{%- endmacro %}


{#-
    SELECT of `_dlt_parent_id`, `store` and `tags` (Shopify's `[String]` tags of the parent,
    joined with ', ' as the REST API wrote them) from the child table `table_name`.
-#}
{% macro shopify_tags(table_name) -%}
    select
        _dlt_parent_id,
        store,
        {{ dbt.listagg('value', "', '", 'order by _dlt_list_idx') }} as tags
    from (
        {{ typed_source('shopify', table_name, {
            'value': 'text',
            '_dlt_parent_id': 'text',
            '_dlt_list_idx': 'integer',
        }) | indent(8) }}
    ) as tags
    group by _dlt_parent_id, store
{%- endmacro %}
