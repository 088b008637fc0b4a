"""Test setup: a throw-away AIRFLOW_HOME with a SQLite metadata DB, created before Airflow is imported."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOME = Path(tempfile.mkdtemp(prefix="salespulse-airflow-"))

os.environ["AIRFLOW_HOME"] = str(HOME)
os.environ["AIRFLOW__CORE__LOAD_EXAMPLES"] = "False"
os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(ROOT / "airflow" / "dags")
os.environ["AIRFLOW__CORE__UNIT_TEST_MODE"] = "True"
os.environ["SALESPULSE_HOME"] = str(ROOT)
# spark_default: local Spark; spark-submit comes with the pyspark package in this virtualenv
os.environ["AIRFLOW_CONN_SPARK_DEFAULT"] = '{"conn_type": "spark", "host": "local[2]"}'
os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")

subprocess.run([str(Path(sys.executable).parent / "airflow"), "db", "migrate"], check=True,
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: needs a generated warehouse, a server or a cluster: real spark-submits "
                                       "of the jar (left out by bin/test --fast)")


import socket
from types import SimpleNamespace

import pytest

CLI = str(ROOT / "bin" / "salespulse")
HASH_ENV = {**os.environ, "SALESPULSE_HASH_KEY": "python-test-key"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def salespulse(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """bin/salespulse with the test hashing key; fails the test with the command's stderr."""
    done = subprocess.run([CLI, *args], capture_output=True, text=True, env=env or HASH_ENV)
    assert done.returncode == 0, f"salespulse {' '.join(args)} exited {done.returncode}: {done.stderr[-2000:]}"
    return done


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> SimpleNamespace:
    """A landing of three days, and a warehouse built in local mode from its first two (one catch-up run)."""
    base = tmp_path_factory.mktemp("generated")
    landing, warehouse = base / "landing", base / "warehouse"
    salespulse("datagen", "--out", str(landing), "--start", "2026-01-01", "--days", "3", "--scale", "0.01", "--seed", "7")
    salespulse("run", "--date", "2026-01-02", "--landing", str(landing), "--warehouse", str(warehouse))
    return SimpleNamespace(landing=landing, warehouse=warehouse)


def read_tables(warehouse: Path, layers=("silver", "gold")) -> dict:
    """Every table of the layers as a sorted pandas frame, without the columns that name a run or a time."""
    from deltalake import DeltaTable

    out = {}
    for layer in layers:
        for table in sorted(p.parent for p in (warehouse / layer).glob("*/_delta_log")):
            df = DeltaTable(str(table)).to_pandas()
            drop = [c for c in df.columns if c in ("_ingested_at", "_run_id", "run_id", "quarantined_at")]
            df = df.drop(columns=drop)
            out[f"{layer}.{table.name}"] = df.sort_values(list(df.columns)).reset_index(drop=True)
    return out
