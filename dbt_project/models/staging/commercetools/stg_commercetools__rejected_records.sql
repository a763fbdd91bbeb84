{{ staged_rejected_records('commercetools') }}
