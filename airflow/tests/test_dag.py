"""The nightly DAG on a real Airflow: it imports, it has the promised shape, and it really runs."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pendulum
import pytest
from airflow.dag_processing.dagbag import DagBag
from airflow.timetables.interval import CronDataIntervalTimetable

from conftest import ROOT

DAG_ID = "salespulse_daily"


@pytest.fixture(scope="module")
def dag():
    bag = DagBag(dag_folder=str(ROOT / "airflow" / "dags"))
    assert bag.import_errors == {}
    return bag.get_dag(DAG_ID)


def test_dags_import_without_errors():
    bag = DagBag(dag_folder=str(ROOT / "airflow" / "dags"))
    assert bag.import_errors == {}
    assert DAG_ID in bag.dag_ids


def test_structure(dag):
    assert {t.task_id for t in dag.tasks} == {"wait_for_manifests", "ingest", "silver", "gold", "notify", "alerts"}
    chain = ["wait_for_manifests", "ingest", "silver", "gold"]
    for upstream, downstream in zip(chain, chain[1:]):
        assert dag.get_task(upstream).downstream_task_ids == {downstream}
    # delivery and the red-task verdict both follow gold, independently of each other
    assert dag.get_task("gold").downstream_task_ids == {"notify", "alerts"}
    assert "--no-notify" in dag.get_task("gold").application_args
    assert dag.get_task("notify").application_args[:3] == ["notify", "--date", "{{ data_interval_start | ds }}"]
    assert dag.get_task("notify").retries >= 2
    assert isinstance(dag.timetable, CronDataIntervalTimetable)
    assert dag.max_active_runs == 1
    for stage in ("wait_for_manifests", "ingest", "silver", "gold"):
        assert dag.get_task(stage).retries >= 2, stage
    for stage in ("ingest", "silver", "gold", "notify", "alerts"):
        op = dag.get_task(stage)
        assert op._conn_id == "spark_default"
        assert op._java_class == "io.salespulse.cli.Salespulse"
        assert "{{ data_interval_start | ds }}" in op.application_args
        assert "now()" not in " ".join(op.application_args)
    assert "--fail-on" in dag.get_task("alerts").application_args
    assert {a.name for a in dag.get_task("gold").outlets} >= {"salespulse.gold.kpi_daily", "salespulse.gold.kpi_alerts"}
    # the run for D covers D: the interval after 2026-03-01 00:00 starts on 2026-03-01
    info = dag.timetable.infer_manual_data_interval(run_after=pendulum.datetime(2026, 3, 2, 0, 30, tz="UTC"))
    assert info.start == pendulum.datetime(2026, 3, 1, tz="UTC")


def _read_tables(warehouse: Path) -> dict:
    from deltalake import DeltaTable

    out = {}
    for layer, table in [("bronze", "salesforce_lead"), ("bronze", "segment_events"), ("silver", "fact_lead"),
                         ("silver", "fact_activity_daily"), ("gold", "kpi_daily"), ("gold", "kpi_rep_daily")]:
        df = DeltaTable(str(warehouse / layer / table)).to_pandas()
        drop = [c for c in df.columns if c in ("_ingested_at", "_run_id")]
        out[f"{layer}.{table}"] = df.drop(columns=drop).sort_values(list(df.drop(columns=drop).columns)).reset_index(drop=True)
    return out


@pytest.mark.slow
def test_a_real_run_with_spark_submit(dag, tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    warehouse = tmp_path / "warehouse"
    subprocess.run([str(ROOT / "bin" / "salespulse"), "datagen", "--out", str(landing), "--start", "2026-01-01",
                    "--days", "3", "--scale", "0.01"], check=True)
    monkeypatch.setenv("AIRFLOW_VAR_SALESPULSE_LANDING", str(landing))
    monkeypatch.setenv("AIRFLOW_VAR_SALESPULSE_WAREHOUSE", str(warehouse))
    monkeypatch.setenv("SALESPULSE_HASH_KEY", "airflow-test-key")
    # a run triggered at 2026-01-04 00:00 covers the interval [01-03, 01-04): business day 2026-01-03
    run_after = pendulum.datetime(2026, 1, 4, tz="UTC")

    run = dag.test(logical_date=run_after)
    assert run.state == "success", [(ti.task_id, ti.state) for ti in run.get_task_instances()]
    assert run.data_interval_start.date().isoformat() == "2026-01-03"
    first = _read_tables(warehouse)
    assert len(first["bronze.salesforce_lead"]) > 0
    assert (first["bronze.segment_events"]["_snapshot_date"].astype(str) == "2026-01-03").any()
    assert len(first["silver.fact_lead"]) > 0
    kpi = first["gold.kpi_daily"]
    assert "2026-01-03" in set(kpi["kpi_date"].astype(str))

    # an operator clears the day's gold task (the one a red alerts task sends them to) and it runs
    # again: it succeeds and leaves every table as it was. Only that task: each task is a cold
    # spark-submit (~45 s), and a rerun of the whole day is ReliabilityTest's (Java) in-process case
    again = dag.partial_subset(task_ids=["gold"], include_upstream=False).test(logical_date=run_after)
    assert again.state == "success"
    assert [ti.task_id for ti in again.get_task_instances()] == ["gold"]
    second = _read_tables(warehouse)
    for name, frame in first.items():
        assert frame.equals(second[name]), name
