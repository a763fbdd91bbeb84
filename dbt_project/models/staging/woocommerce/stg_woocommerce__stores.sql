{{ staged_store('woocommerce') }}
