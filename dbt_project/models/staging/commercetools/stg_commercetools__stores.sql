{{ staged_store('commercetools') }}
