"""Who the shoppers are and when they buy: platform-neutral, vectorised with numpy.

The purchase process is BG/NBD-like, so CLV and churn models have signal:

* each person is acquired at a time spread over the window (three times as many
  per day at the end as at the start: the shop grows) and makes a first purchase then;
* while alive, repeat purchases arrive as a Poisson process with a personal rate
  lambda ~ Gamma(r, alpha) (heterogeneous frequency);
* after every purchase the person drops out with a personal probability
  p ~ Beta(a, b) (heterogeneous dropout);
* each person has a spend level ~ Gamma, around which order values scatter
  (see `catalog.basket`).

The rates are scaled so that the process produces a little more than the
requested number of orders per platform, and each platform is then thinned at
random to the exact count (thinning a Poisson process keeps it Poisson).

The platforms are the data generators of the registry (`Platform.generator`), in
its order; each says its share of the orders and guests and where its home
shoppers live (`Profile`). Nothing here names a platform.

A person has an account on a home platform and, for some, on a second one, with
the e-mail typed differently (case, whitespace). Accounts are either registered
customers or guests (Woo guest checkout, Shopify POS walk-ins, commercetools
anonymous checkout) whose orders carry no customer id.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from metric_pulse.sandbox.generate import people

DAY = 86_400


class Profile(Protocol):
    """What a platform's data generator tells the population and the catalog about its shop."""

    platform: str
    order_share: float  # its weight among all orders (divided by the sum, so a new platform changes no other)
    guest_share: float  # accounts that are guests
    home_country_mix: tuple[float, ...]  # of the people whose home it is (order of people.COUNTRIES)
    catalog_share: float  # catalog products it sells


SECOND_PLATFORM_SHARE = 0.14  # people who also shop on a second platform
SECOND_PLATFORM_ORDER_SHARE = 0.35  # of such a person's orders, placed on the second platform
HOME_EMAIL_VARIANT = 0.08  # home accounts whose e-mail is not typed in lower case
SECOND_EMAIL_VARIANT = 0.8  # second-platform accounts typed differently from the home one
PROFILE_EDIT_SHARE = 0.12  # accounts edited (address, marketing consent) after their last order

# BG/NBD-like parameters (days); lambda's scale is calibrated to the requested order count.
RATE_SHAPE = 0.8
DROPOUT_A, DROPOUT_B = 0.7, 3.0
SPEND_SHAPE, SPEND_SCALE_USD, SPEND_FLOOR_USD = 2.2, 32.0, 12.0


@dataclass
class Population:
    start_ts: int
    end_ts: int  # the snapshot moment: nothing happens after it
    # people (index = person)
    first_name: list[str]
    last_name: list[str]
    email: list[str]  # canonical: lower case
    country: list[str]
    address: list[dict]
    spend_usd: np.ndarray  # spend level, USD per order
    acquired_ts: np.ndarray
    # accounts (index = account): a person on one platform
    acc_person: np.ndarray
    acc_platform: np.ndarray  # index into platforms
    acc_guest: np.ndarray  # bool: no customer record
    acc_email: list[str]  # as typed on that platform
    acc_created_ts: np.ndarray  # registration (guests: first order)
    acc_first_order_ts: np.ndarray  # -1 when no order on that platform
    acc_last_order_ts: np.ndarray
    acc_edit_ts: np.ndarray  # a profile edit after everything else, or -1
    acc_draw: np.ndarray  # a uniform per account for stable per-customer choices
    # orders per platform, sorted by time: (timestamps, account indices)
    orders: dict[str, tuple[np.ndarray, np.ndarray]]
    platforms: tuple[str, ...]  # the profiles' platforms, in order

    def accounts_of(self, platform: str) -> np.ndarray:
        return np.flatnonzero(self.acc_platform == self.platforms.index(platform))


def _diurnal(rng: np.random.Generator, days: np.ndarray) -> np.ndarray:
    """Timestamps on the given UTC days with a daytime peak (most orders 12:00-02:00 UTC)."""
    hours = rng.normal(17.5, 4.5, size=days.shape) % 24
    return days * DAY + (hours * 3600).astype(np.int64)


def _purchase_times(
    rng: np.random.Generator,
    acquired: np.ndarray,
    arrivals: np.ndarray,
    repeats: np.ndarray,
    start_ts: int,
    end_ts: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(person, timestamp) of every purchase: first purchases, then repeats.

    A person's repeat times are the first `repeats` of `arrivals` uniform points in
    (acquired, end), drawn from exponential spacings: U_(k) = S_k / (S_m + Gamma(n - m + 1)).
    """
    n = acquired.size
    last_day = (end_ts - 1) // DAY
    owner = np.repeat(np.arange(n), repeats)
    cumulative = np.concatenate(([0.0], np.cumsum(rng.standard_exponential(int(repeats.sum())))))
    group_end = np.cumsum(repeats)
    group_start = group_end - repeats
    partial = cumulative[1:] - np.repeat(cumulative[group_start], repeats)
    denominator = cumulative[group_end] - cumulative[group_start] + rng.gamma(arrivals - repeats + 1.0)
    fraction = partial / np.repeat(denominator, repeats)
    repeat_ts = acquired[owner] + fraction * (end_ts - acquired[owner])
    repeat_days = np.minimum(repeat_ts.astype(np.int64) // DAY, last_day)
    repeat_ts = np.clip(_diurnal(rng, repeat_days), start_ts, end_ts - 1)
    repeat_ts = np.minimum(
        np.maximum(repeat_ts, acquired[owner] + 60), end_ts - 1
    )  # after the first purchase
    return np.concatenate((np.arange(n), owner)), np.concatenate((acquired, repeat_ts)).astype(np.int64)


def _expected_orders(rate: np.ndarray, window: np.ndarray, cap: np.ndarray, scale: float) -> np.ndarray:
    return 1 + np.minimum(rate * scale * window, cap - 1)


def _platform_expectation(
    per_person: np.ndarray, home: np.ndarray, second: np.ndarray, platforms: int
) -> np.ndarray:
    totals = np.zeros(platforms)
    dual = second >= 0
    home_share = np.where(dual, 1 - SECOND_PLATFORM_ORDER_SHARE, 1.0)
    np.add.at(totals, home, per_person * home_share)
    np.add.at(totals, second[dual], per_person[dual] * SECOND_PLATFORM_ORDER_SHARE)
    return totals


def order_shares(profiles: Sequence[Profile]) -> list[float]:
    """Each platform's share of all orders: its `order_share` over the sum of them (they need not sum to 1)."""
    weight = sum(p.order_share for p in profiles)
    return [p.order_share / weight for p in profiles]


def split_orders(total: int, profiles: Sequence[Profile]) -> dict[str, int]:
    """Orders per platform for a total, by the profiles' shares, summing exactly to `total`."""
    shares = order_shares(profiles)
    counts = {p.platform: round(total * share) for p, share in zip(profiles[:-1], shares[:-1], strict=True)}
    counts[profiles[-1].platform] = total - sum(counts.values())
    return counts


def build_population(
    rng: np.random.Generator,
    customers: int,
    orders: int,
    start_ts: int,
    end_ts: int,
    profiles: Sequence[Profile],
) -> Population:
    k = len(profiles)  # platforms
    platforms = tuple(p.platform for p in profiles)
    if customers < k:
        raise ValueError(f"customers must be at least {k} (one home shopper per platform)")
    targets = split_orders(orders, profiles)
    n = customers
    r = random.Random(int(rng.integers(2**63)))

    # --- who -------------------------------------------------------------------------------
    home = rng.choice(k, size=n, p=order_shares(profiles))
    home[:k] = np.arange(k)  # every platform has at least one shopper at home
    second = np.where(rng.random(n) < SECOND_PLATFORM_SHARE, (home + rng.integers(1, k, size=n)) % k, -1)
    country_idx = np.empty(n, dtype=np.int64)
    for slot, profile in enumerate(profiles):
        members = np.flatnonzero(home == slot)
        country_idx[members] = rng.choice(
            len(people.COUNTRIES), size=members.size, p=profile.home_country_mix
        )
    country = [people.COUNTRIES[i] for i in country_idx]
    first_name, last_name, email, address = [], [], [], []
    for i, c in enumerate(country):
        f = people.FIRST_NAMES[c][r.randrange(len(people.FIRST_NAMES[c]))]
        s = people.LAST_NAMES[c][r.randrange(len(people.LAST_NAMES[c]))]
        first_name.append(f)
        last_name.append(s)
        email.append(
            people.canonical_email(
                f, s, i + 1, r.randrange(4), people.EMAIL_DOMAINS[r.randrange(len(people.EMAIL_DOMAINS))]
            )
        )
        address.append(people.postal_address(c, r))
    spend = SPEND_FLOOR_USD + rng.gamma(SPEND_SHAPE, SPEND_SCALE_USD, size=n)

    # --- when --------------------------------------------------------------------------------
    span_days = (end_ts - start_ts) / DAY
    start_day = start_ts // DAY
    last_day = (end_ts - 1) // DAY
    # acquisition density grows linearly, 1 : 3 from the first day to the last (inverse CDF of 0.5 + x)
    growth = np.sqrt(0.25 + 2.0 * rng.random(n)) - 0.5
    acquired_days = start_day + np.floor(span_days * growth).astype(np.int64)
    acquired = np.clip(_diurnal(rng, np.minimum(acquired_days, last_day)), start_ts, end_ts - 1)
    window = (end_ts - acquired) / DAY
    rate = rng.gamma(RATE_SHAPE, 1.0, size=n)
    dropout = rng.beta(DROPOUT_A, DROPOUT_B, size=n)
    target = np.array([targets[p] for p in platforms], dtype=float)

    scale = None
    for _attempt in range(60):
        cap = np.minimum(rng.geometric(np.clip(dropout, 1e-6, 1.0)), 10_000_000)
        # the largest achievable count is bounded by the dropout caps: lower dropout if needed
        reachable = _platform_expectation(cap.astype(float), home, second, k)
        if np.any((reachable < 1.2 * target) & (target > 0)):
            dropout = dropout * 0.5
            continue
        if scale is None:
            low, high = 1e-9, 1e6
            for _ in range(80):  # bisection on the rate scale, in log space
                mid = float(np.sqrt(low * high))
                expected = _platform_expectation(_expected_orders(rate, window, cap, mid), home, second, k)
                ok = np.all((expected >= 1.12 * target) | (target == 0))
                low, high = (low, mid) if ok else (mid, high)
            scale = high
        arrivals = rng.poisson(rate * scale * window)
        repeats = np.minimum(arrivals, cap - 1)
        event_person, event_ts = _purchase_times(rng, acquired, arrivals, repeats, start_ts, end_ts)
        dual = second[event_person] >= 0
        to_second = dual & (rng.random(event_person.size) < SECOND_PLATFORM_ORDER_SHARE)
        to_second[:n] = False  # a person's first purchase happens on the home platform
        event_platform = np.where(to_second, second[event_person], home[event_person])
        if np.all(np.bincount(event_platform, minlength=k) >= target):
            break
        scale *= 1.3
    else:  # pragma: no cover - the loop converges for sane inputs
        raise RuntimeError("could not calibrate the purchase process")

    # --- accounts --------------------------------------------------------------------------------
    acc_person = np.concatenate((np.arange(n), np.flatnonzero(second >= 0)))
    acc_platform = np.concatenate((home, second[second >= 0]))
    acc_key = acc_person * k + acc_platform
    sort = np.argsort(acc_key, kind="stable")
    acc_person, acc_platform, acc_key = acc_person[sort], acc_platform[sort], acc_key[sort]
    acc_count = acc_person.size
    acc_guest = rng.random(acc_count) < np.array([p.guest_share for p in profiles])[acc_platform]
    acc_draw = rng.random(acc_count)
    is_home = acc_platform == home[acc_person]
    variant_draw = rng.random(acc_count)
    acc_email = []
    for a in range(acc_count):
        canonical = email[acc_person[a]]
        threshold = HOME_EMAIL_VARIANT if is_home[a] else SECOND_EMAIL_VARIANT
        acc_email.append(people.email_variant(canonical, r) if variant_draw[a] < threshold else canonical)

    # --- exact order counts per platform ---------------------------------------------------------
    orders_out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    event_account = np.searchsorted(acc_key, event_person * k + event_platform)
    for slot, platform in enumerate(platforms):
        candidates = np.flatnonzero(event_platform == slot)
        keep = np.sort(rng.choice(candidates.size, size=targets[platform], replace=False))
        chosen = candidates[keep]
        ts, acc = event_ts[chosen], event_account[chosen]
        order = np.lexsort((acc, ts))
        orders_out[platform] = (ts[order].astype(np.int64), acc[order].astype(np.int64))

    for platform in platforms:  # even a tiny store has a guest who ordered, on every platform
        buyers = np.unique(orders_out[platform][1])
        buyers = buyers[is_home[buyers] & (acc_person[buyers] >= k)]
        if buyers.size >= 4 and not acc_guest[buyers].any():
            acc_guest[buyers[0]] = True

    last_order = np.full(acc_count, -1, dtype=np.int64)
    first_order = np.full(acc_count, np.iinfo(np.int64).max, dtype=np.int64)
    for ts, acc in orders_out.values():
        np.maximum.at(last_order, acc, ts)
        np.minimum.at(first_order, acc, ts)
    first_order[first_order == np.iinfo(np.int64).max] = -1

    # registration: shortly before the first purchase on that platform (or, without orders,
    # some time after the person was acquired)
    lead = (rng.exponential(2.0, acc_count) * DAY).astype(np.int64) + 120
    no_order_at = acquired[acc_person] + (rng.random(acc_count) * (end_ts - acquired[acc_person])).astype(
        np.int64
    )
    anchor = np.where(first_order >= 0, first_order, np.where(is_home, acquired[acc_person], no_order_at))
    created = np.where(acc_guest, anchor, np.maximum(anchor - lead, start_ts - 30 * DAY))
    created = np.minimum(created, end_ts - 1)
    latest = np.maximum(created, last_order)
    edit_at = latest + (rng.exponential(30.0, acc_count) * DAY).astype(np.int64) + 300
    edit = np.where((rng.random(acc_count) < PROFILE_EDIT_SHARE) & (edit_at < end_ts), edit_at, -1)

    return Population(
        start_ts=start_ts,
        end_ts=end_ts,
        first_name=first_name,
        last_name=last_name,
        email=email,
        country=country,
        address=address,
        spend_usd=spend,
        acquired_ts=acquired,
        acc_person=acc_person,
        acc_platform=acc_platform,
        acc_guest=acc_guest,
        acc_email=acc_email,
        acc_created_ts=created,
        acc_first_order_ts=first_order,
        acc_last_order_ts=last_order,
        acc_edit_ts=edit,
        acc_draw=acc_draw,
        orders=orders_out,
        platforms=platforms,
    )
