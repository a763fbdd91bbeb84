"""The purchase models by name, as the CLI and `score_customers` accept them."""

from __future__ import annotations

from metric_pulse.clv.bgnbd import BGNBD
from metric_pulse.clv.mbgnbd import MBGNBD
from metric_pulse.clv.pnbd import ParetoNBD
from metric_pulse.clv.purchase_model import PurchaseModel

MODELS: dict[str, type[PurchaseModel]] = {"bgnbd": BGNBD, "pnbd": ParetoNBD, "mbgnbd": MBGNBD}


def make_model(name: str) -> PurchaseModel:
    """A fresh, unfitted model; ValueError for an unknown name."""
    try:
        return MODELS[name]()
    except KeyError:
        raise ValueError(f"model must be one of {', '.join(MODELS)}, not {name!r}") from None
