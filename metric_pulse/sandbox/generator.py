"""`metric-pulse sandbox generate`: write a deterministic sandbox store directory.

    DIR/shopify/{customers,products,orders}.json
    DIR/woocommerce/{customers,products,orders}.json
    DIR/commercetools/{customers,products,orders}.json
    DIR/shopify__eu/...  (with `--extra-store shopify:eu`)

One folder per store of each registered platform (`metric_pulse.platforms`).
Each file is a JSON array of objects in that platform's own API response shape.
The same arguments give byte-identical files: nothing reads the clock, every
random draw comes from the seed. Orders are streamed to disk, so memory stays
flat for millions of orders. See docs/sandbox-data.md for the data's story.

Also runnable as `python -m metric_pulse.sandbox.generator --out DIR …`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from metric_pulse.sandbox.cli import add_extra_store_argument
from metric_pulse.sandbox.generate.shopify import DEFAULT_LARGE
from metric_pulse.sandbox.generate.writer import (
    DEFAULT_CUSTOMERS,
    DEFAULT_END,
    DEFAULT_ORDERS,
    DEFAULT_SEED,
    DEFAULT_START,
    generate,
)


def add_generate_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of `sandbox generate` (shared by `metric-pulse` and `python -m metric_pulse.sandbox.generator`)."""
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="directory to write shopify/, woocommerce/, commercetools/ into",
    )
    add_extra_store_argument(
        parser,
        "also write another store of PLATFORM into DIR/PLATFORM__LABEL/, as large as the default "
        "one but drawn with its own seed",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--customers",
        type=int,
        default=DEFAULT_CUSTOMERS,
        metavar="N",
        help=f"people across all platforms (default {DEFAULT_CUSTOMERS})",
    )
    parser.add_argument(
        "--orders",
        type=int,
        default=DEFAULT_ORDERS,
        metavar="N",
        help=f"orders across all platforms, split 45/30/25 %% (default {DEFAULT_ORDERS})",
    )
    parser.add_argument(
        "--start",
        type=date.fromisoformat,
        default=DEFAULT_START,
        metavar="YYYY-MM-DD",
        help=f"first order day (default {DEFAULT_START})",
    )
    parser.add_argument(
        "--end",
        type=date.fromisoformat,
        default=DEFAULT_END,
        metavar="YYYY-MM-DD",
        help=f"last day of the data, the snapshot date (default {DEFAULT_END})",
    )
    parser.add_argument(
        "--shopify-large",
        type=int,
        default=DEFAULT_LARGE,
        metavar="N",
        help="Shopify: N products with more than 100 variants and N orders with more than 250 line "
        f"items, drawn apart from the rest (0: none; default {DEFAULT_LARGE})",
    )


def run_generate(args: argparse.Namespace) -> int:
    """Handler for parsed `sandbox generate` arguments: generate, print a summary, return the exit code."""
    started = time.monotonic()
    show = sys.stderr.isatty()

    def progress(platform: str, done: int, total: int) -> None:
        print(f"\r{platform}: {done:,}/{total:,} orders", end="", file=sys.stderr, flush=True)

    try:
        counts = generate(
            args.out,
            seed=args.seed,
            customers=args.customers,
            orders=args.orders,
            start=args.start,
            end=args.end,
            extra_stores=args.extra_stores,
            progress=progress if show else None,
            options={"shopify_large": args.shopify_large},
        )
    except ValueError as exc:
        print(f"sandbox generate: {exc}", file=sys.stderr)
        return 2
    if show:
        print("\r\033[K", end="", file=sys.stderr)
    for store, c in counts.items():
        print(f"{store}: {c['customers']} customers, {c['products']} products, {c['orders']} orders")
    print(f"wrote {Path(args.out)} in {time.monotonic() - started:.1f}s (seed {args.seed})")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m metric_pulse.sandbox.generator", description=__doc__.split("\n\n")[0]
    )
    add_generate_arguments(parser)
    return run_generate(parser.parse_args(argv))


__all__ = ["generate", "add_generate_arguments", "run_generate", "main"]

if __name__ == "__main__":
    sys.exit(main())
