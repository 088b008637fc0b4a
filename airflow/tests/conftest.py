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
    config.addinivalue_line("markers", "slow: a real Airflow run that spark-submits the jar (left out by bin/test --fast)")
