"""What every benchmark shares: the machine line, tables, a private PostgreSQL, cached data sets.

Benchmarks keep their state under `.data/bench/` (git-ignored): their own embedded
PostgreSQL (so they never touch the project's warehouse or the test databases),
generated sandbox stores cached by their arguments, and throwaway databases that
each script drops when it is done.
"""

from __future__ import annotations

import multiprocessing
import os
import platform
import shutil
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `python bench/bench_x.py` puts bench/, not the project, on the path
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")

from metric_pulse.config import Settings  # noqa: E402
from metric_pulse.extract import StoreLoad, load_store  # noqa: E402
from metric_pulse.warehouse import DbSettings, EmbeddedPostgres, ensure_database  # noqa: E402

BENCH_DIR = ROOT / ".data" / "bench"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def memory_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def load_average() -> str:
    try:
        one, five, _ = os.getloadavg()
        return f"{one:.1f}/{five:.1f}"
    except OSError:
        return "?"


def machine_line() -> str:
    """One line saying where and under what load the numbers were taken (other jobs share the cores)."""
    return (
        f"machine: {os.cpu_count()} cores ({cpu_model()}), {memory_gb():.0f} GB RAM, "
        f"Python {platform.python_version()}, load average (1/5 min) {load_average()} at start"
    )


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A markdown table (pastes into RESULTS.md as is)."""
    cells = [[str(c) for c in headers]] + [[_cell(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |"  # noqa: E731
    print(line(cells[0]))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells[1:]:
        print(line(row))
    sys.stdout.flush()


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if value != value:
            return "-"
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def summary(text: str) -> None:
    """The one line every benchmark ends with."""
    print(f"SUMMARY {text} (load average now {load_average()})")
    sys.stdout.flush()


def bench_server() -> DbSettings:
    """Admin settings of the benchmarks' own embedded PostgreSQL (database `postgres`)."""
    return EmbeddedPostgres(BENCH_DIR / "postgres").start().with_database("postgres")


def drop_database(server: DbSettings, name: str) -> None:
    conn = server.connect(database="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'drop database if exists "{name}" with (force)')
    conn.close()


@contextmanager
def scratch_database(server: DbSettings, prefix: str, *, template: str | None = None) -> Iterator[DbSettings]:
    """A new database (optionally a copy of `template`), dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    if template:
        conn = server.connect(database="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'create database "{name}" template "{template}"')
        conn.close()
    db = server.with_database(name)
    ensure_database(db)
    try:
        yield db
    finally:
        drop_database(server, name)


def database_exists(server: DbSettings, name: str) -> bool:
    conn = server.connect(database="postgres")
    with conn.cursor() as cur:
        cur.execute("select 1 from pg_database where datname = %s", (name,))
        found = cur.fetchone() is not None
    conn.close()
    return found


def generated_store(name: str, **options: object) -> Path:
    """A generated sandbox store under .data/bench/stores/<name>, generated once (same options, same files)."""
    from metric_pulse.sandbox.generate import generate

    target = BENCH_DIR / "stores" / name
    marker = target / ".generated"
    wanted = repr(sorted(options.items()))
    if marker.exists() and marker.read_text() == wanted:
        return target
    if target.exists():
        shutil.rmtree(target)
    started = time.monotonic()
    generate(target, **options)
    marker.write_text(wanted)
    print(f"generated sandbox store {name} ({options}) in {time.monotonic() - started:.0f}s")
    return target


def _serve(store: Path, options: dict[str, object], conn: Connection) -> None:
    from metric_pulse.sandbox.server import SandboxServer

    with SandboxServer(store, **options) as server:  # type: ignore[arg-type]
        server.store.preload()
        conn.send(server.env())
        conn.recv()  # until the benchmark says it is done


@contextmanager
def sandbox_process(store: Path, **options: object) -> Iterator[dict[str, str]]:
    """A sandbox serving `store` from a process of its own; yields its `env()`.

    In the benchmark's process the emulator (graphql-core executing every query, writing
    bulk results) would take the GIL, and so the CPU, from the loader it serves: its
    work would be counted as ours. On its own it costs what Shopify's servers cost.
    """
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve, args=(store, options, theirs), name="sandbox", daemon=True)
    process.start()
    theirs.close()  # so that a sandbox dying before it answers ends `recv` (EOFError) instead of hanging
    try:
        yield ours.recv()
    finally:
        with suppress(OSError):
            ours.send("stop")
        process.join(timeout=30)
        if process.is_alive():
            process.kill()


def query(db: DbSettings, sql: str, *args: object) -> list[tuple]:
    conn = db.connect()
    try:
        with conn.cursor() as cur:
            cur.execute(sql, args)
            return cur.fetchall() if cur.description else []
    finally:
        conn.commit()
        conn.close()


def load_all(settings: Settings, db: DbSettings, pipelines: Path) -> list[StoreLoad]:
    """Every configured store at once, each in its own thread, as `metric-pulse run` loads them."""
    with ThreadPoolExecutor(max_workers=len(settings.stores)) as pool:
        return list(pool.map(lambda s: load_store(s, settings, db, pipelines_dir=pipelines), settings.stores))
