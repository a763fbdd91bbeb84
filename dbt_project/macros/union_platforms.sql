{#-
    The rows of every platform's `int_<platform>__<entity>` model (models/intermediate/
    platforms/), one platform after the other in the order of platforms(). The models
    share one enforced contract (_int_platforms__models.yml), so their columns are
    selected by name, in the contract's order.

    orders_in_scope=true: in an incremental run, only the rows of the orders in the CTE
    `orders` (columns platform, order_dlt_id), written as = ANY(ARRAY(subquery)) on
    purpose: PostgreSQL evaluates it once and pushes it through the platform's views as
    a plain condition, so the rows are read through the index on the raw table's
    _dlt_parent_id / _dlt_root_id; a join or IN would scan every row ever loaded.
-#}
{% macro union_platforms(entity, orders_in_scope=false) -%}
    {%- for platform in platforms() %}
    {%- set platform_model = ref('int_' ~ platform ~ '__' ~ entity) %}
    select {{ contract_columns(platform_model) | join(', ') }}
    from {{ platform_model }}
    {%- if orders_in_scope and is_incremental() %}
    where {{ in_subquery('order_dlt_id', "select orders.order_dlt_id from orders where orders.platform = '" ~ platform ~ "'") }}
    {%- endif %}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
{%- endmacro %}


{#- The column names of a model's contract, in their YAML order ('*' while dbt parses). -#}
{% macro contract_columns(relation) -%}
    {%- if not execute -%}
        {{ return(['*']) }}
    {%- endif -%}
    {%- set node = graph.nodes['model.' ~ project_name ~ '.' ~ relation.identifier] -%}
    {{ return(node.columns.keys() | list) }}
{%- endmacro %}
