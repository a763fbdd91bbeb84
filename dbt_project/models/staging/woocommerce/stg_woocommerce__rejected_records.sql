{{ staged_rejected_records('woocommerce') }}
