"""The platform registry: one `Platform` per supported platform, and the one list of them.

Everything that iterates over platforms (the CLI's choices, settings, extraction, the
sandbox server's routing, the demo, tests and benchmarks) reads `PLATFORMS`. Adding a
platform is one line below (see docs/adding-a-platform.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import loaders.commercetools
import loaders.shopify
import loaders.woocommerce
from loaders.platform import PlatformLoader
from metric_pulse.sandbox import commercetools_api, shopify_admin, woocommerce_api
from metric_pulse.sandbox.emulator import Emulator
from metric_pulse.sandbox.generate.commercetools import CommercetoolsStore
from metric_pulse.sandbox.generate.shopify import ShopifyStore
from metric_pulse.sandbox.generate.woocommerce import WooStore


@dataclass(frozen=True)
class Platform:
    """A platform: its loader, its sandbox emulator and its sandbox data generator."""

    loader: PlatformLoader
    emulator: Emulator
    generator: type

    @property
    def name(self) -> str:
        return self.loader.name


def _registry(*platforms: Platform) -> Mapping[str, Platform]:
    names = [p.name for p in platforms]
    if len(set(names)) != len(names):
        raise ValueError(f"a platform is registered twice: {names}")
    return {p.name: p for p in platforms}


PLATFORMS: Mapping[str, Platform] = _registry(
    Platform(loaders.shopify.LOADER, shopify_admin.EMULATOR, ShopifyStore),
    Platform(loaders.woocommerce.LOADER, woocommerce_api.EMULATOR, WooStore),
    Platform(loaders.commercetools.LOADER, commercetools_api.EMULATOR, CommercetoolsStore),
)
