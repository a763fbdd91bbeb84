"""The sandbox data generator: a seeded population of shoppers rendered into each platform's API shapes.

`population` decides who buys what and when (platform-neutral); `shopify`,
`woocommerce` and `commercetools` render that into the objects each API returns;
`sandbox.generator` is the entry point (`generate()`, the CLI flags).
"""
