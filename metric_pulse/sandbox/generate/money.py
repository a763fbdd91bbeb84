"""Money as integer minor units (cents, yen): conversion, list prices, tax and formatting.

Floats never hold an amount that is written out; every figure is an int of the
currency's minor unit and is formatted at the end.
"""

from __future__ import annotations

# Minor-unit digits (ISO 4217) and units of the currency per US dollar (fixed, illustrative rates).
DIGITS = {"USD": 2, "EUR": 2, "GBP": 2, "CAD": 2, "JPY": 0}
PER_USD = {"USD": 1.0, "EUR": 0.92, "GBP": 0.79, "CAD": 1.37, "JPY": 150.0}


def div_half_even(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half to even (banker's rounding), for numerator >= 0."""
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2):
        quotient += 1
    return quotient


def tax_on(net: int, rate_bp: int) -> int:
    """Tax added on top of a net amount; rate in basis points (1900 = 19 %)."""
    return div_half_even(net * rate_bp, 10_000)


def tax_within(gross: int, rate_bp: int) -> int:
    """The tax contained in a tax-inclusive amount."""
    return div_half_even(gross * rate_bp, 10_000 + rate_bp)


def convert(minor: int, source: str, target: str) -> int:
    """An amount in another currency at the fixed rates, rounded to the target's minor unit."""
    if source == target:
        return minor
    major = minor / 10 ** DIGITS[source] / PER_USD[source] * PER_USD[target]
    return round(major * 10 ** DIGITS[target])


def list_price(usd_cents: int, currency: str) -> int:
    """A catalog price in `currency` derived from the US price, rounded the way shops price.

    Two-digit currencies end in .99 (24.99), yen in 80 (2,980 ¥).
    """
    if currency == "USD":
        return usd_cents
    minor = convert(usd_cents, "USD", currency)
    if DIGITS[currency] == 0:
        return max(480, (minor + 50) // 100 * 100 - 20)
    return max(99, (minor + 50) // 100 * 100 - 1)


def fmt(minor: int, digits: int = 2) -> str:
    """'409.94', '-10.00', '2980' (digits 0)."""
    if digits == 2:
        # exact: any cent amount below 2**53 / 100 formats back to its own digits
        return f"{minor / 100:.2f}"
    if digits == 0:
        return str(minor)
    sign = "-" if minor < 0 else ""
    whole, frac = divmod(abs(minor), 10**digits)
    return f"{sign}{whole}.{frac:0{digits}d}"


def cent_precision(minor: int, currency: str) -> dict:
    """commercetools CentPrecisionMoney."""
    return {
        "type": "centPrecision",
        "currencyCode": currency,
        "centAmount": minor,
        "fractionDigits": DIGITS[currency],
    }
