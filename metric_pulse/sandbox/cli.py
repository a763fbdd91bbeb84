"""`metric-pulse sandbox generate|serve`: the sandbox's command line.

`register(subparsers)` adds the `sandbox` command to the `metric-pulse` parser;
`python -m metric_pulse.sandbox.cli serve …` / `python -m metric_pulse.sandbox.cli generate …` run the same
commands without it.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from metric_pulse.sandbox.emulator import check_label
from metric_pulse.sandbox.shopify_admin import ALL_SCOPES

DEFAULT_SLOW_DELAY = 35.0


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {value}")
    return value


def _extra_store(text: str) -> tuple[str, str]:
    """`PLATFORM:LABEL` -> (platform, label); the platform is checked against the registry later."""
    platform, _, label = text.partition(":")
    try:
        return platform, check_label(label)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: expected PLATFORM:LABEL; {exc}") from None


def add_extra_store_argument(parser: argparse.ArgumentParser, what: str) -> None:
    """`--extra-store PLATFORM:LABEL` (repeatable) -> `args.extra_stores`, for `serve` and `generate`."""
    parser.add_argument(
        "--extra-store",
        dest="extra_stores",
        type=_extra_store,
        action="append",
        default=[],
        metavar="PLATFORM:LABEL",
        help=f"{what} (repeatable)",
    )


def add_serve_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        required=True,
        metavar="DIR",
        help="data directory with shopify/, woocommerce/, commercetools/ "
        "(as written by `sandbox generate`); edits are picked up without restart",
    )
    add_extra_store_argument(
        parser,
        "also serve DIR/PLATFORM__LABEL/ at /PLATFORM-LABEL as another store of PLATFORM; the "
        ".env lines then name the stores in <PREFIX>_STORES",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8787, help="port; 0 picks a free one (default 8787)")
    parser.add_argument(
        "--rate-limits",
        choices=("real", "off"),
        default="real",
        help="real: Shopify's leaky bucket (429) and GraphQL cost throttling; "
        "off: never refuse (headers still reported). Default real",
    )
    parser.add_argument(
        "--fail-rate",
        type=_rate,
        default=0.0,
        metavar="F",
        help="share of API responses replaced by a 5xx with the platform's error body",
    )
    parser.add_argument(
        "--slow-rate",
        type=_rate,
        default=0.0,
        metavar="F",
        help="share of API responses held back for --slow-delay seconds",
    )
    parser.add_argument(
        "--slow-delay",
        type=float,
        default=DEFAULT_SLOW_DELAY,
        metavar="SECONDS",
        help=f"how long a slow response is held back (default {DEFAULT_SLOW_DELAY:g})",
    )
    parser.add_argument(
        "--malformed-rate",
        type=_rate,
        default=0.0,
        metavar="F",
        help="share of API responses whose JSON body is cut short",
    )
    parser.add_argument(
        "--drop-rate",
        type=_rate,
        default=0.0,
        metavar="F",
        help="share of API responses whose connection is closed mid-body",
    )
    parser.add_argument(
        "--throttle-rate",
        type=_rate,
        default=0.0,
        metavar="F",
        help="share of commercetools API responses replaced by 429 (it has no documented limit)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault RNG (default 0)")
    parser.add_argument(
        "--token-ttl",
        type=float,
        default=172800.0,
        metavar="SECONDS",
        help="commercetools access-token lifetime (default 172800 = 48 h)",
    )
    parser.add_argument(
        "--shopify-plan",
        choices=("standard", "advanced", "plus", "enterprise"),
        default="standard",
        help="Shopify plan: the GraphQL cost restore rate (100/200/1000/2000 points/s; default standard)",
    )
    parser.add_argument(
        "--shopify-scopes",
        default=ALL_SCOPES,
        metavar="LIST",
        help=f"the access scopes of every Shopify token (default {ALL_SCOPES}); a resource outside "
        "them answers ACCESS_DENIED",
    )
    parser.add_argument(
        "--no-read-all-orders",
        action="store_true",
        help="Shopify token without read_all_orders: orders older than 60 days are hidden",
    )
    parser.add_argument(
        "--shopify-token-ttl",
        type=float,
        default=86399.0,
        metavar="SECONDS",
        help="Shopify client-credentials token lifetime (default 86399 = 24 h)",
    )
    parser.add_argument(
        "--shopify-bulk-seconds",
        type=float,
        default=1.0,
        metavar="SECONDS",
        help="Shopify bulk operations stay CREATED/RUNNING at least this long (default 1)",
    )
    parser.add_argument(
        "--shopify-bulk-limit",
        type=int,
        default=5,
        metavar="N",
        help="Shopify bulk query operations at once (5 from API 2026-01, 1 before; default 5)",
    )
    parser.add_argument(
        "--shopify-bulk-busy",
        type=int,
        default=0,
        metavar="N",
        help="Shopify: N bulk operations of the app already running at start, for 30 s (default 0)",
    )
    parser.add_argument(
        "--shopify-bulk-fail",
        action="store_true",
        help="Shopify bulk operations FAIL halfway (INTERNAL_SERVER_ERROR) with partialDataUrl",
    )
    parser.add_argument(
        "--shopify-bulk-url-ttl",
        type=float,
        default=7 * 86400.0,
        metavar="SECONDS",
        help="how long a Shopify bulk result URL works (default 604800 = 7 days)",
    )
    parser.add_argument(
        "--shopify-redact-customers",
        action="store_true",
        help="Shopify app without protected customer data: names, e-mails, phones, addresses are null",
    )
    parser.add_argument(
        "--woocommerce-strip-authorization",
        action="store_true",
        help="WooCommerce behind a web server that drops the Authorization header: only "
        "?consumer_key=&consumer_secret= authenticate (else 401 Consumer key is missing.)",
    )
    parser.add_argument(
        "--woocommerce-ignores-modified-after",
        action="store_true",
        help="a WooCommerce older than 5.8: modified_after/modified_before are ignored",
    )
    parser.add_argument("--log-requests", action="store_true", help="log every request on stderr")


def run_serve(args: argparse.Namespace) -> int:
    """Start the sandbox, print the .env lines on stdout, serve until SIGTERM/SIGINT."""
    from metric_pulse.sandbox.server import SandboxServer
    from metric_pulse.sandbox.store import RESOURCES

    if not args.data.is_dir():
        print(
            f"sandbox serve: {args.data} is not a directory (create one with `sandbox generate --out DIR`)",
            file=sys.stderr,
        )
        return 2
    if args.log_requests:
        logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")
    try:
        server = SandboxServer(
            args.data,
            host=args.host,
            port=args.port,
            rate_limits=args.rate_limits,
            fail_rate=args.fail_rate,
            slow_rate=args.slow_rate,
            malformed_rate=args.malformed_rate,
            drop_rate=args.drop_rate,
            throttle_rate=args.throttle_rate,
            seed=args.seed,
            slow_delay=args.slow_delay,
            extra_stores=args.extra_stores,
            token_ttl=args.token_ttl,
            shopify_plan=args.shopify_plan,
            shopify_scopes=",".join(
                s
                for s in args.shopify_scopes.split(",")
                if not (args.no_read_all_orders and s == "read_all_orders")
            ),
            shopify_token_ttl=args.shopify_token_ttl,
            shopify_protected_data=not args.shopify_redact_customers,
            shopify_bulk_seconds=args.shopify_bulk_seconds,
            shopify_bulk_limit=args.shopify_bulk_limit,
            shopify_bulk_busy=args.shopify_bulk_busy,
            shopify_bulk_fail=args.shopify_bulk_fail,
            shopify_bulk_url_ttl=args.shopify_bulk_url_ttl,
            woocommerce_strip_authorization=args.woocommerce_strip_authorization,
            woocommerce_ignores_modified_after=args.woocommerce_ignores_modified_after,
            log_requests=args.log_requests,
        )
    except ValueError as exc:
        print(f"sandbox serve: {exc}", file=sys.stderr)
        return 2
    if not any(server.store.path(s, r).exists() for s in server.stores for r in RESOURCES):
        print(
            f"sandbox serve: warning: {args.data} holds no store files yet; every list will be empty "
            "until they appear",
            file=sys.stderr,
        )
    try:
        server.start()
    except OSError as exc:
        print(
            f"sandbox serve: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr
        )
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        for key, value in server.env().items():
            print(f"{key}={value}")
        sys.stdout.flush()
        print(
            f"sandbox: serving {args.data} at {server.url} (rate limits {args.rate_limits}); "
            "SIGTERM or Ctrl-C stops it",
            file=sys.stderr,
            flush=True,
        )
        while not stop.wait(1.0):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    served = ", ".join(
        f"{p} {s['requests']} requests ({s['rate_limited']} x 429)" for p, s in server.stats().items()
    )
    print(f"sandbox: stopped; {served}", file=sys.stderr, flush=True)
    return 0


def add_commands(sub: Any) -> None:
    """`generate` and `serve` under a subparsers object."""
    from metric_pulse.sandbox.generator import add_generate_arguments, run_generate

    generate = sub.add_parser(
        "generate",
        help="write a deterministic sandbox data directory",
        description="Write DIR/{shopify,woocommerce,commercetools}/{customers,products,"
        "orders}.json in each platform's API shape; same seed, same bytes.",
    )
    add_generate_arguments(generate)
    generate.set_defaults(func=run_generate)
    serve = sub.add_parser(
        "serve",
        help="serve a data directory as Shopify, WooCommerce and commercetools APIs",
        description="Serve the three store APIs on one loopback port and print the .env "
        "lines (KEY=VALUE) that point the loaders at them. See docs/sandbox.md.",
    )
    add_serve_arguments(serve)
    serve.set_defaults(func=run_serve)


def register(subparsers: Any) -> argparse.ArgumentParser:
    """Add `sandbox` (with `generate` and `serve`) to the `metric-pulse` command line."""
    sandbox = subparsers.add_parser(
        "sandbox",
        help="local emulators of the three store APIs and their data",
        description="Generate sandbox store data and serve it as the real APIs.",
    )
    add_commands(sandbox.add_subparsers(dest="sandbox_command", required=True, metavar="ACTION"))
    return sandbox


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m metric_pulse.sandbox.cli", description=__doc__.split("\n\n")[0]
    )
    add_commands(parser.add_subparsers(dest="sandbox_command", required=True, metavar="ACTION"))
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
