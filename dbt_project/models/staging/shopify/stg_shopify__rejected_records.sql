{{ staged_rejected_records('shopify') }}
