"""Hostile servers and URLs, over real HTTP on loopback: nothing stalls a run for long or leaks a token.

Before (issue 14, items 6-7): `Retry-After: 100000` or `X-Shopify-Shop-Api-Call-Limit:
1000000/1` made the client sleep for days, a body trickled one byte at a time had no
overall deadline, a `Link` header repeating its `page_info` (or a listing ignoring its
page/filter) looped forever, any response size was read into memory, and a store URL
`http://<other host>\\@127.0.0.1` passed the https-or-loopback check while requests
connected to the other host.
"""

from __future__ import annotations

import socket

import pytest
from conftest import cli_env, run_cli

from loaders.config import load_settings
from loaders.errors import ConfigError


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.2:9\\@127.0.0.1",
        "http://127.0.0.2:9\\@127.0.0.1/shop",
        "http://user:password@127.0.0.1:9",
        "https://token@shop.example.com",
        "http://127.0.0.1:9 @evil",
    ],
)
def test_store_urls_with_user_info_or_backslashes_are_refused(url: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"SHOPIFY_STORE_URL": url, "SHOPIFY_ACCESS_TOKEN": "shpat_x"})
    assert "password" not in str(caught.value)


def test_plain_http_only_on_loopback() -> None:
    woo = {"WOOCOMMERCE_CONSUMER_KEY": "ck_1", "WOOCOMMERCE_CONSUMER_SECRET": "cs_1"}
    with pytest.raises(ConfigError, match="must use https"):
        load_settings({"WOOCOMMERCE_URL": "http://shop.example.com", **woo})
    for url in ("http://[::1]:8080", "http://127.0.0.1:8080/shop", "https://shop.example.com"):
        assert load_settings({"WOOCOMMERCE_URL": url, **woo}).woocommerce


def test_backslash_url_is_refused_before_any_request() -> None:
    """A listener on 127.0.0.2 stands in for the other host: it must never see a connection."""
    with socket.socket() as other_host:
        other_host.bind(("127.0.0.2", 0))
        other_host.listen(8)
        other_host.settimeout(0.5)
        port = other_host.getsockname()[1]
        token = "shpat_hostile_url_test_token"
        proc = run_cli(
            "extract",
            env=cli_env(SHOPIFY_STORE_URL=f"http://127.0.0.2:{port}\\@127.0.0.1", SHOPIFY_ACCESS_TOKEN=token),
            timeout=300,
        )
        try:
            other_host.accept()[0].close()
            connected = True
        except TimeoutError:
            connected = False
    assert not connected, "the token was sent to the host before the backslash"
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "SHOPIFY_STORE_URL must not contain" in proc.stderr
    assert token not in proc.stdout + proc.stderr
