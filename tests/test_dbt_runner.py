"""dbt invocations by the pipeline: each in a target directory of its own, partial parsing kept."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from metric_pulse.dbt_runner import PARTIAL_PARSE, DbtResult, private_target, run_dbt
from metric_pulse.warehouse import DbSettings

FULL_PARSE = "Unable to do partial parsing"


def test_concurrent_invocations_read_only_their_own_results(pg_db: DbSettings, tmp_path: Path, capfd) -> None:
    state = tmp_path / "dbt-state"

    def seed(name: str) -> tuple[Path, DbtResult]:
        with private_target(state) as target:
            return target, run_dbt(["seed", "--select", name], pg_db, target_path=target)

    with ThreadPoolExecutor(max_workers=2) as pool:
        (target_a, a), (target_b, b) = pool.map(seed, ["currency_rates", "rfm_segments"])
    assert a.ok and b.ok
    assert [r["unique_id"] for r in a.results] == ["seed.metric_pulse.currency_rates"]
    assert [r["unique_id"] for r in b.results] == ["seed.metric_pulse.rfm_segments"]
    assert target_a != target_b and not target_a.exists() and not target_b.exists(), "removed afterwards"
    assert FULL_PARSE in capfd.readouterr().out, "no parse cache yet: both parse the project in full"

    # the next invocation starts from the parse cache the last one left
    assert (state / PARTIAL_PARSE).exists()
    _, again = seed("rfm_segments")
    assert again.ok
    assert FULL_PARSE not in capfd.readouterr().out
    assert [p.name for p in state.iterdir()] == [PARTIAL_PARSE]
