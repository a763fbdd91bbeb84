{{ staged_store('shopify') }}
