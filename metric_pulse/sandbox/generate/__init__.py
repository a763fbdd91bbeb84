"""The sandbox data generator: a seeded population of shoppers rendered into each platform's API shapes.

`population` decides who buys what and when (platform-neutral); `shopify`,
`woocommerce` and `commercetools` render that into the objects each API returns;
`writer.generate()` writes a store directory (re-exported here and from
`metric_pulse.sandbox.generator`, which also holds the CLI flags).
"""

from metric_pulse.sandbox.generate.writer import generate

__all__ = ["generate"]
