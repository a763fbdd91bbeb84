"""`sandbox serve` as a process: prints the .env lines, serves them, stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from subprocess import Popen

import pytest
import requests
from sandbox_fixtures import full_store, shopify_order_ids, two_of_each

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENV_KEYS = [
    "SHOPIFY_STORE_URL",
    "SHOPIFY_CLIENT_ID",
    "SHOPIFY_CLIENT_SECRET",
    "SHOPIFY_API_VERSION",
    "WOOCOMMERCE_URL",
    "WOOCOMMERCE_CONSUMER_KEY",
    "WOOCOMMERCE_CONSUMER_SECRET",
    "COMMERCETOOLS_PROJECT_KEY",
    "COMMERCETOOLS_CLIENT_ID",
    "COMMERCETOOLS_CLIENT_SECRET",
    "COMMERCETOOLS_API_URL",
    "COMMERCETOOLS_AUTH_URL",
]


COMMANDS = {
    "python -m metric_pulse.sandbox.cli": [sys.executable, "-m", "metric_pulse.sandbox.cli", "serve"],
    "metric-pulse sandbox": [str(Path(sys.executable).with_name("metric-pulse")), "sandbox", "serve"],
}


def read_env_lines(proc: subprocess.Popen, count: int, timeout: float = 30) -> dict[str, str]:
    lines: list[str] = []

    def reader() -> None:
        assert proc.stdout is not None
        while len(lines) < count:
            line = proc.stdout.readline()
            if not line:
                return
            lines.append(line.rstrip("\n"))

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    thread.join(timeout)
    assert len(lines) == count, (
        f"got {lines!r}; stderr: {proc.stderr.read() if proc.poll() is not None else ''}"
    )
    return dict(line.split("=", 1) for line in lines)


@contextmanager
def serving(data: Path, *args: str, command: str = "python -m metric_pulse.sandbox.cli") -> Iterator[Popen]:
    """`sandbox serve --data DATA --port 0 ARGS` as a process with no store settings in its environment."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SHOPIFY_", "WOOCOMMERCE_", "COMMERCETOOLS_"))
    }
    proc = subprocess.Popen(
        [*COMMANDS[command], "--data", str(data), "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def stop(proc: Popen) -> str:
    """SIGTERM, a clean exit, and what the server said on stderr."""
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    return proc.stderr.read() if proc.stderr else ""


@pytest.mark.parametrize("command", list(COMMANDS))
def test_serve_prints_env_lines_serves_and_stops_on_sigterm(tmp_path: Path, command: str) -> None:
    full_store(tmp_path)
    with serving(tmp_path, "--seed", "3", command=command) as proc:
        settings = read_env_lines(proc, len(ENV_KEYS))
        assert list(settings) == ENV_KEYS
        assert settings["SHOPIFY_STORE_URL"].startswith("http://127.0.0.1:")
        assert shopify_order_ids(settings, "SHOPIFY", 5) == [1, 2, 3, 4, 5]
        token = requests.post(
            f"{settings['COMMERCETOOLS_AUTH_URL']}/oauth/token",
            auth=(settings["COMMERCETOOLS_CLIENT_ID"], settings["COMMERCETOOLS_CLIENT_SECRET"]),
            data={
                "grant_type": "client_credentials",
                "scope": f"view_orders:{settings['COMMERCETOOLS_PROJECT_KEY']}",
            },
            timeout=10,
        )
        orders = requests.get(
            f"{settings['COMMERCETOOLS_API_URL']}/{settings['COMMERCETOOLS_PROJECT_KEY']}/orders",
            headers={"Authorization": f"Bearer {token.json()['access_token']}"},
            timeout=10,
        )
        assert orders.json()["total"] == 30
        woo = requests.get(
            f"{settings['WOOCOMMERCE_URL']}/wp-json/wc/v3/orders",
            timeout=10,
            auth=(settings["WOOCOMMERCE_CONSUMER_KEY"], settings["WOOCOMMERCE_CONSUMER_SECRET"]),
        )
        assert woo.headers["X-WP-Total"] == "25"
        assert "stopped" in stop(proc)


def test_serve_names_the_extra_stores_in_its_env_lines(tmp_path: Path) -> None:
    with serving(two_of_each(tmp_path), "--extra-store", "shopify:eu") as proc:
        settings = read_env_lines(proc, len(ENV_KEYS) + 5)
        assert list(settings)[:9] == [
            "SHOPIFY_STORES",
            "SHOPIFY_STORE_URL",
            "SHOPIFY_CLIENT_ID",
            "SHOPIFY_CLIENT_SECRET",
            "SHOPIFY_API_VERSION",
            "SHOPIFY_EU_STORE_URL",
            "SHOPIFY_EU_CLIENT_ID",
            "SHOPIFY_EU_CLIENT_SECRET",
            "SHOPIFY_EU_API_VERSION",
        ]
        assert list(settings)[9:] == ENV_KEYS[4:]  # the other platforms: their single-store lines
        assert settings["SHOPIFY_STORES"] == "default,eu"
        assert shopify_order_ids(settings, "SHOPIFY_EU", 10) == [501, 502, 503]
        assert "shopify__eu 2 requests" in stop(proc)


def test_serve_refuses_a_missing_directory(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "metric_pulse.sandbox.cli", "serve", "--data", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    assert result.returncode == 2 and "not a directory" in result.stderr
    bad_rate = subprocess.run(
        [
            sys.executable,
            "-m",
            "metric_pulse.sandbox.cli",
            "serve",
            "--data",
            str(tmp_path),
            "--fail-rate",
            "2",
        ],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    assert bad_rate.returncode == 2 and "between 0 and 1" in bad_rate.stderr


def test_serve_takes_the_woocommerce_real_host_flags(tmp_path: Path) -> None:
    full_store(tmp_path)
    flags = ("--woocommerce-strip-authorization", "--woocommerce-ignores-modified-after")
    with serving(tmp_path, *flags) as proc:
        settings = read_env_lines(proc, len(ENV_KEYS))
        url = f"{settings['WOOCOMMERCE_URL']}/wp-json/wc/v3/orders"
        key, secret = settings["WOOCOMMERCE_CONSUMER_KEY"], settings["WOOCOMMERCE_CONSUMER_SECRET"]
        basic = requests.get(url, auth=(key, secret), timeout=10)
        assert basic.status_code == 401 and basic.json()["message"] == "Consumer key is missing."
        query = {"consumer_key": key, "consumer_secret": secret, "modified_after": "2999-01-01T00:00:00"}
        assert requests.get(url, params=query, timeout=10).headers["X-WP-Total"] == "25"
        stop(proc)


def test_serve_takes_the_shopify_flags(tmp_path: Path) -> None:
    full_store(tmp_path)
    flags = ("--shopify-plan", "plus", "--no-read-all-orders", "--shopify-token-ttl", "60")
    flags += ("--shopify-redact-customers", "--shopify-bulk-limit", "1", "--shopify-bulk-busy", "1")
    with serving(tmp_path, *flags) as proc:
        settings = read_env_lines(proc, len(ENV_KEYS))
        root = settings["SHOPIFY_STORE_URL"]
        token = requests.post(
            f"{root}/admin/oauth/access_token",
            data={
                "grant_type": "client_credentials",
                "client_id": settings["SHOPIFY_CLIENT_ID"],
                "client_secret": settings["SHOPIFY_CLIENT_SECRET"],
            },
            timeout=10,
        ).json()
        assert token["expires_in"] == 60 and "read_all_orders" not in token["scope"].split(",")
        body = requests.post(
            f"{root}/admin/api/{settings['SHOPIFY_API_VERSION']}/graphql.json",
            headers={"X-Shopify-Access-Token": token["access_token"]},
            json={
                "query": """{ customer(id: "gid://shopify/Customer/501") { firstName }
                             currentBulkOperation { status } }"""
            },
            timeout=10,
        ).json()
        assert body["data"] == {
            "customer": {"firstName": None},
            "currentBulkOperation": {"status": "RUNNING"},
        }
        assert body["extensions"]["cost"]["throttleStatus"]["restoreRate"] == 1000.0
        stop(proc)
