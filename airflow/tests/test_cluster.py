"""The same jar on a real Spark cluster: a standalone master and a worker from the pyspark distribution on
127.0.0.1, spark-submit --master spark://…, and the tables equal the local-mode run's."""
from __future__ import annotations

import json
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import HASH_ENV, ROOT, free_port, read_tables

APP_JAR = ROOT / "jobs" / "target" / "salespulse-jobs-0.1.0-SNAPSHOT-app.jar"


def _spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    base = tmp_path_factory.mktemp("cluster")
    home = _spark_home()
    port, ui = free_port(), free_port()
    env = {**HASH_ENV, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_LOG_DIR": str(base),
           "SPARK_WORKER_DIR": str(base / "work")}
    master = subprocess.Popen([str(home / "bin" / "spark-class"), "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                               "--port", str(port), "--webui-port", str(ui)], env=env,
                              stdout=open(base / "master.log", "w"), stderr=subprocess.STDOUT)
    url = f"spark://127.0.0.1:{port}"
    worker = subprocess.Popen([str(home / "bin" / "spark-class"), "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                               "--cores", "2", "--memory", "3g", "--webui-port", str(free_port()), url], env=env,
                              stdout=open(base / "worker.log", "w"), stderr=subprocess.STDOUT)
    deadline = time.time() + 180
    while True:
        try:
            state = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{ui}/json/", timeout=5).read())
            if state.get("aliveworkers", 0) >= 1:
                break
        except OSError:
            pass
        assert master.poll() is None and worker.poll() is None, (base / "master.log").read_text()[-2000:]
        assert time.time() < deadline, "no worker registered: " + (base / "worker.log").read_text()[-2000:]
        time.sleep(2)
    yield type("Cluster", (), {"url": url, "env": env, "base": base})
    worker.terminate()
    master.terminate()
    worker.wait(timeout=60)
    master.wait(timeout=60)


def submit(cluster, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([str(_spark_home() / "bin" / "spark-submit"), "--master", cluster.url, "--deploy-mode", "client",
                           "--executor-memory", "1g", "--conf", "spark.driver.host=127.0.0.1",
                           "--driver-java-options", f"-Dlog4j2.configurationFile={ROOT / 'conf' / 'log4j2.properties'}",
                           "--class", "io.salespulse.cli.Salespulse", str(APP_JAR), *args],
                          capture_output=True, text=True, env=cluster.env, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


@pytest.mark.slow
def test_a_cluster_run_equals_the_local_run(cluster, generated, tmp_path):
    warehouse = tmp_path / "warehouse"
    submit(cluster, "run", "--date", "2026-01-02", "--landing", str(generated.landing), "--warehouse", str(warehouse))
    # the work really ran in the worker's executor, not in the driver
    assert any((cluster.base / "work").glob("app-*/*/stderr"))
    local = read_tables(generated.warehouse)
    remote = read_tables(warehouse)
    assert set(remote) == set(local)
    assert len(local) == 17   # 12 silver tables, 5 gold
    for name, frame in local.items():
        assert frame.equals(remote[name]), name
