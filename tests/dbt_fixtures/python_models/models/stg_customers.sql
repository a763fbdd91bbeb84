select customer_id::bigint as customer_id, name, country
from {{ ref('raw_customers') }}
