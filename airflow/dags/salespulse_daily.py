"""salespulse nightly pipeline: one run per business day D (the run's data interval start).

wait for D's snapshot manifests -> ingest (landing -> bronze) -> silver -> gold -> notify, alerts

Each Spark stage is its own spark-submit of the application jar through the ``spark_default``
connection (local, standalone, YARN or Kubernetes is the connection's business), so a failure
retries only its stage. Re-running a day is safe: every stage is idempotent.

Airflow Variables (all optional):
  salespulse_jar         application jar (default: $SALESPULSE_HOME/jobs/target/salespulse-jobs-0.1.0-SNAPSHOT-app.jar)
  salespulse_landing     landing root URI       (default: $SALESPULSE_HOME/.local/landing)
  salespulse_warehouse   warehouse root URI     (default: $SALESPULSE_HOME/.local/warehouse)
  salespulse_conf        salespulse properties file (S3A endpoint, time zone, alert rules and channels, spark.* keys)

Alert delivery (the ``notify`` task) reads its channels from that file and the SMTP password and
webhook URL from the workers' environment (SALESPULSE_ALERTS_SMTP_PASSWORD,
SALESPULSE_ALERTS_WEBHOOK_URL); see docs/alerts.md.
  salespulse_sources     comma-separated landing folders to wait for (default: every object)
"""
from __future__ import annotations

import logging
import os
from datetime import timedelta

import pendulum
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.sdk import DAG, Asset, Variable, task
from airflow.timetables.interval import CronDataIntervalTimetable

log = logging.getLogger(__name__)

HOME = os.environ.get("SALESPULSE_HOME", os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))
DEFAULT_JAR = os.path.join(HOME, "jobs", "target", "salespulse-jobs-0.1.0-SNAPSHOT-app.jar")
DEFAULT_LANDING = os.path.join(HOME, ".local", "landing")
DEFAULT_WAREHOUSE = os.path.join(HOME, ".local", "warehouse")
SOURCES = (
    "salesforce/Lead,salesforce/Account,salesforce/Contact,salesforce/Opportunity,salesforce/OpportunityHistory,"
    "salesforce/Campaign,salesforce/CampaignMember,salesforce/User,salesforce/Order,salesforce/OrderItem,"
    "salesforce/Product2,salesforce/DatedConversionRate,segment/events"
)
GOLD_TABLES = ("kpi_daily", "kpi_cohort_clv", "kpi_rep_daily", "kpi_campaign", "kpi_alerts")

# templated at run time, never read at parse time (no metadata-DB access while the DAG file loads)
JAR = "{{ var.value.get('salespulse_jar', '%s') }}" % DEFAULT_JAR
LANDING = "{{ var.value.get('salespulse_landing', '%s') }}" % DEFAULT_LANDING
WAREHOUSE = "{{ var.value.get('salespulse_warehouse', '%s') }}" % DEFAULT_WAREHOUSE
CONF = "{{ var.value.get('salespulse_conf', '') }}"
RUN_DATE = "{{ data_interval_start | ds }}"


def _asset_uri(table: str) -> str:
    """Gold tables as Assets, so downstream DAGs can be scheduled on them."""
    warehouse = os.environ.get("AIRFLOW_VAR_SALESPULSE_WAREHOUSE", DEFAULT_WAREHOUSE)
    if "://" not in warehouse:
        warehouse = "file://" + os.path.abspath(warehouse)
    return warehouse.replace("s3a://", "s3://").rstrip("/") + "/gold/" + table


GOLD_ASSETS = [Asset(name=f"salespulse.gold.{t}", uri=_asset_uri(t)) for t in GOLD_TABLES]


def notify_failure(context) -> None:
    """Failure callback: one clear line in the task log; wire a Notifier (Slack, email) here."""
    ti = context.get("task_instance")
    log.error("salespulse %s failed for %s (try %s): %s", ti.task_id if ti else "?",
              context.get("data_interval_start"), ti.try_number if ti else "?", context.get("exception"))


def spark_stage(task_id: str, args: list[str], **kwargs) -> SparkSubmitOperator:
    return SparkSubmitOperator(
        task_id=task_id,
        conn_id="spark_default",
        application=JAR,
        java_class="io.salespulse.cli.Salespulse",
        application_args=[*args, "--conf", CONF],
        name=f"salespulse-{task_id}",
        **kwargs,
    )


with DAG(
    dag_id="salespulse_daily",
    description="Landing -> bronze -> silver -> gold KPIs -> alerts, one business day per run",
    # an explicit interval timetable: the run for D starts after D ends, and D = data_interval_start
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,  # history is reprocessed with `airflow backfill create` (docs/airflow.md)
    max_active_runs=1,  # Delta on S3 has a single-writer log store: one run at a time
    default_args={
        "retries": 2,
        "retry_delay": timedelta(minutes=5),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=30),
        "on_failure_callback": notify_failure,
    },
    tags=["salespulse"],
) as dag:

    @task.sensor(poke_interval=60, timeout=6 * 3600, mode="reschedule")
    def wait_for_manifests(data_interval_start=None) -> bool:
        """D's snapshots are complete when every source folder for D has its _manifest.json (written last)."""
        from airflow.sdk import ObjectStoragePath

        landing = Variable.get("salespulse_landing", default=DEFAULT_LANDING)
        if "://" not in landing:
            landing = "file://" + os.path.abspath(landing)
        landing = landing.replace("s3a://", "s3://")
        day = data_interval_start.strftime("%Y-%m-%d")
        missing = []
        for source in Variable.get("salespulse_sources", default=SOURCES).split(","):
            key = "received_date" if source.startswith("segment/") else "snapshot_date"
            manifest = ObjectStoragePath(f"{landing.rstrip('/')}/{source.strip()}/{key}={day}/_manifest.json")
            if not manifest.exists():
                missing.append(source.strip())
        if missing:
            log.info("waiting for %d manifests of %s: %s", len(missing), day, ", ".join(missing))
        return not missing

    common = ["--landing", LANDING, "--warehouse", WAREHOUSE]
    ingest = spark_stage("ingest", ["run", "--date", RUN_DATE, "--stage", "ingest", *common])
    silver = spark_stage("silver", ["run", "--date", RUN_DATE, "--stage", "silver", *common])
    # delivery is its own task: a receiver that is down turns `notify` red (exit 6) and its retries
    # send only what was not delivered, without recomputing gold
    gold = spark_stage("gold", ["run", "--date", RUN_DATE, "--stage", "gold", "--no-notify", *common], outlets=GOLD_ASSETS)
    notify = spark_stage("notify", ["notify", "--date", RUN_DATE, "--warehouse", WAREHOUSE])
    # exit 4 when a critical KPI rule fired: the task fails for schedulers that want a red task;
    # retrying would only repeat the same verdict. It does not wait for delivery.
    alerts = spark_stage("alerts", ["alerts", "--date", RUN_DATE, "--fail-on", "critical", "--warehouse", WAREHOUSE],
                         retries=0)

    wait_for_manifests() >> ingest >> silver >> gold >> [notify, alerts]


with DAG(
    dag_id="salespulse_maintain",
    description="Weekly: compact small files (OPTIMIZE) and remove unreferenced ones (VACUUM, 168 h retention)",
    schedule=CronDataIntervalTimetable("0 3 * * 0", timezone="UTC"),
    start_date=pendulum.datetime(2026, 1, 1, tz="UTC"),
    catchup=False,
    max_active_runs=1,
    # the warehouse lease makes it wait out (exit 5, retried) a nightly run that is still going
    default_args={"retries": 3, "retry_delay": timedelta(minutes=20), "on_failure_callback": notify_failure},
    tags=["salespulse"],
) as maintain_dag:
    spark_stage("maintain", ["maintain", "--warehouse", WAREHOUSE])
