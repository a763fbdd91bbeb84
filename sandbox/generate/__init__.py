"""The sandbox data generator: a seeded population of shoppers rendered into each platform's API shapes.

`population` decides who buys what and when (platform-neutral); `shopify`,
`woocommerce` and `commercetools` render that into the objects each API returns;
`writer.generate()` writes a store directory (re-exported here and from
`sandbox.generator`, which also holds the CLI flags).
"""

from sandbox.generate.writer import generate

__all__ = ["generate"]
