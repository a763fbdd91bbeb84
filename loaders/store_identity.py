"""The `store` table every source loads: which store the data came from, asked of the store itself.

Several stores of one platform load into datasets of their own, and dbt tells their
rows apart by this identifier (the marts' `store`). It must not be a setting an
operator can change by accident, so it comes from the platform: Shopify's permanent
`*.myshopify.com` domain, the WordPress site's home address, commercetools' project
key. The table is replaced on every run (one row) so it always names the store the
latest rows came from; `checked_at` says when it was asked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import dlt

STORE_TABLE = "store"


def store_resource(store_id: Callable[[], str]) -> Any:
    """The `store` resource: one row `{store_id, checked_at}`; `store_id()` runs at extract time.

    Asking at extract time (not when the source is built) makes a failing identity
    request fail the platform's extract like any other request of it.
    """

    def row() -> Iterator[dict[str, Any]]:
        yield {"store_id": store_id(), "checked_at": datetime.now(UTC)}

    return dlt.resource(
        row,
        name=STORE_TABLE,
        write_disposition="replace",
        columns={
            "store_id": {"data_type": "text", "nullable": False},
            "checked_at": {"data_type": "timestamp"},
        },
    )
