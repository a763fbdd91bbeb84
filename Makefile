# metric-pulse: every target sets up what it needs (venv + packages) on a fresh clone.
# Python: PYTHON=... if given, else the first of these on PATH that runs and is >= 3.11
# (a pyenv shim for a version that is not installed is on PATH but does not run).
# Evaluated only when a venv is created; with none, make stops with one line.
PY_CANDIDATES := python3.13 python3.12 python3.11 python3
PY_CHECK := import sys; sys.exit(sys.version_info < (3, 11))
py_ok = $(if $(1),$(shell $(1) -c '$(PY_CHECK)' >/dev/null 2>&1 && echo $(1)))
PYTHON ?= $(firstword $(foreach p,$(PY_CANDIDATES),$(call py_ok,$(p))))
NEED_PYTHON = $(if $(call py_ok,$(PYTHON)),$(PYTHON),$(error $(if $(PYTHON),PYTHON=$(PYTHON) is not a working Python >= 3.11,no Python >= 3.11 on PATH (tried $(PY_CANDIDATES))); install one or pass PYTHON=/path/to/python3.11))
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help python-check venv lint elt extract test test-slow test-reliability test-spark spark-venv dbt-build bench bench-venv schedule unschedule clean

help:  ## list targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'

# Re-install only when a pyproject changes.
$(STAMP): pyproject.toml adapters/pyproject.toml
	$(if $(wildcard $(BIN)/python),,$(NEED_PYTHON) -m venv $(VENV))
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint]' -e ./adapters
	@touch $(STAMP)

python-check:  ## say which Python creates a venv (stops with one line when there is none >= 3.11)
	@echo "$$(command -v $(NEED_PYTHON)) ($$($(NEED_PYTHON) -V 2>&1))"

venv: $(STAMP)  ## create .venv and install the project

elt: $(STAMP)  ## extract, load, dbt build, record the run (sandbox stores when no platform is configured)
	$(BIN)/metric-pulse run

extract: $(STAMP)  ## extract + load only
	$(BIN)/metric-pulse extract

lint: $(STAMP)  ## ruff (lint + format check) on Python, sqlfluff on the dbt SQL (config: pyproject.toml, .sqlfluff)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project

test: $(STAMP)  ## the test suite (real Postgres, real dbt, real HTTP on loopback)
	$(BIN)/python -m pytest

test-slow: $(STAMP)  ## tests marked slow
	$(BIN)/python -m pytest -m slow

test-reliability: $(STAMP)  ## kill/fault/bad-input suite
	$(BIN)/python -m pytest -m reliability

# The Spark job: pyspark + dbt-spark (session method) beside the project in their own venv, so .venv
# never carries pyspark's ~300 MB. Java 17 comes from Debian (openjdk-17-jre-headless; .ci/run installs it).
SPARK_VENV := .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed
SPARK_PINS := 'dbt-spark[session]>=1.11,<1.12' 'pyspark>=4.0,<5'

$(SPARK_STAMP): pyproject.toml adapters/pyproject.toml Makefile
	$(if $(wildcard $(SPARK_VENV)/bin/python),,$(NEED_PYTHON) -m venv $(SPARK_VENV))
	$(SPARK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SPARK_VENV)/bin/python -m pip install --quiet -e '.[test]' -e ./adapters $(SPARK_PINS)
	@touch $(SPARK_STAMP)

spark-venv: $(SPARK_STAMP)  ## .venv-spark: the project plus pyspark and dbt-spark (the Spark job)

test-spark: $(SPARK_STAMP)  ## the Spark job: sandbox data -> parquet -> local Spark, full-refresh dbt build, marts vs PostgreSQL
	@command -v java >/dev/null || { echo "test-spark: no java on PATH; install Debian's openjdk-17-jre-headless"; exit 1; }
	$(SPARK_VENV)/bin/python -m pytest -m spark

# lifetimes (the CLV baseline) needs old pandas/scipy/numpy: it lives in its own venv, never in .venv.
BENCH_VENV := bench/.venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed
BENCH_PINS := lifetimes==0.11.3 'pandas<3' 'scipy<1.16' 'setuptools<82' 'numpy<2.3'

$(BENCH_STAMP): Makefile
	$(if $(wildcard $(BENCH_VENV)/bin/python),,$(NEED_PYTHON) -m venv $(BENCH_VENV))
	$(BENCH_VENV)/bin/python -m pip install --quiet $(BENCH_PINS)
	@touch $(BENCH_STAMP)

bench-venv: $(BENCH_STAMP)  ## bench-only venv with lifetimes 0.11.3 (the CLV baseline)

bench: $(STAMP) $(BENCH_STAMP)  ## every benchmark in bench/, printing ratios (bench/RESULTS.md)
	@for b in bench/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit $$?; done

schedule: $(STAMP)  ## print the crontab line for SCHEDULE_CRON (default 0 2 * * *); INSTALL=1 installs it
	@scripts/schedule.sh $(if $(filter 1,$(INSTALL)),install,print)

unschedule:  ## remove the crontab line
	@scripts/schedule.sh remove

clean:  ## remove venv, data, logs, reports and dbt targets
	rm -rf $(VENV) .data logs reports dbt_project/target dbt_project/logs
