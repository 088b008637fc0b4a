"""The SQL endpoint as a BI tool sees it: bin/salespulse sql-server, queried with beeline (HiveServer2 JDBC)."""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from conftest import CLI, HASH_ENV, ROOT, free_port, salespulse


def beeline(port: int, query: str) -> subprocess.CompletedProcess:
    """bin/beeline, as the README tells a user to connect."""
    return subprocess.run([str(ROOT / "bin" / "beeline"), "-u", f"jdbc:hive2://127.0.0.1:{port}/", "--silent=true", "--outputformat=csv2",
                           "--showHeader=true", "-e", query], capture_output=True, text=True, timeout=180)


def rows(done: subprocess.CompletedProcess) -> list[list[str]]:
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = [l for l in done.stdout.splitlines() if l.strip()]
    return [l.split(",") for l in lines[1:]]


@pytest.fixture(scope="module")
def server(generated, tmp_path_factory):
    """A copy of the generated warehouse (a run will write to it) served on a free port."""
    base = tmp_path_factory.mktemp("sql-server")
    warehouse = base / "warehouse"
    shutil.copytree(generated.warehouse, warehouse)
    port = free_port()
    env = {**HASH_ENV, "SALESPULSE_SQL_METASTORE_DIR": str(base / "metastore"), "SALESPULSE_SQL_CATALOG_REFRESH_SECONDS": "5"}
    log = open(base / "server.log", "w+")
    proc = subprocess.Popen([CLI, "sql-server", "--port", str(port), "--warehouse", str(warehouse)], stdout=log,
                            stderr=subprocess.STDOUT, env=env, text=True)
    deadline = time.time() + 300
    while "sql-server: jdbc:hive2://" not in (base / "server.log").read_text():
        assert proc.poll() is None, "sql-server exited: " + (base / "server.log").read_text()[-3000:]
        assert time.time() < deadline, "sql-server did not start: " + (base / "server.log").read_text()[-3000:]
        time.sleep(1)
    yield type("Server", (), {"port": port, "warehouse": warehouse, "landing": generated.landing, "env": env, "base": base})
    proc.terminate()
    proc.wait(timeout=60)


@pytest.mark.slow
def test_tables_by_name_and_a_join(server):
    from deltalake import DeltaTable

    assert {r[0] for r in rows(beeline(server.port, "SHOW DATABASES"))} >= {"silver", "gold", "ops"}
    assert "bronze" not in {r[0] for r in rows(beeline(server.port, "SHOW DATABASES"))}   # raw personal data stays out
    gold = {r[1] for r in rows(beeline(server.port, "SHOW TABLES IN gold"))}
    assert gold == {"kpi_daily", "kpi_cohort_clv", "kpi_rep_daily", "kpi_campaign", "kpi_alerts"}

    kpi = rows(beeline(server.port, "SELECT kpi_date, leads_created FROM gold.kpi_daily ORDER BY kpi_date DESC LIMIT 7"))
    expected = DeltaTable(str(server.warehouse / "gold" / "kpi_daily")).to_pandas().sort_values("kpi_date", ascending=False)
    assert kpi == [[str(d), str(n)] for d, n in zip(expected["kpi_date"], expected["leads_created"])]

    joined = rows(beeline(server.port, "SELECT r.name, sum(d.leads_created) AS leads FROM gold.kpi_rep_daily d "
                                       "JOIN silver.dim_sales_rep r ON r.owner_id = d.owner_id GROUP BY r.name ORDER BY r.name"))
    reps = DeltaTable(str(server.warehouse / "gold" / "kpi_rep_daily")).to_pandas()
    names = DeltaTable(str(server.warehouse / "silver" / "dim_sales_rep")).to_pandas()
    by_name = reps.merge(names, on="owner_id").groupby("name")["leads_created"].sum()
    assert joined == [[n, str(v)] for n, v in by_name.sort_index().items()]

    comment = rows(beeline(server.port, "DESCRIBE gold.kpi_daily"))
    assert any(r[0] == "win_rate_30d" and "won / (won + lost)" in ",".join(r[2:]) for r in comment)


@pytest.mark.slow
def test_a_missing_table_is_a_clear_error(server):
    done = beeline(server.port, "SELECT * FROM gold.no_such_table")
    assert done.returncode != 0
    assert "TABLE_OR_VIEW_NOT_FOUND" in done.stdout + done.stderr


@pytest.mark.slow
def test_a_nightly_run_never_shows_a_half_written_table(server, tmp_path):
    """While a run publishes day 3, every query sees gold as it was (2 dates) or as it is after (3)."""
    # the run's log goes to a file: a pipe read only at the end would block a run that logs more than it holds
    err = tmp_path / "run.err"
    with open(err, "w") as err_file:
        run = subprocess.Popen([CLI, "run", "--date", "2026-01-03", "--landing", str(server.landing), "--warehouse",
                                str(server.warehouse)], stdout=subprocess.DEVNULL, stderr=err_file, env=server.env, text=True)
        seen = []
        while run.poll() is None:
            seen.append(tuple(rows(beeline(server.port, "SELECT count(*), max(kpi_date), count(DISTINCT kpi_date) FROM gold.kpi_daily"))[0]))
            # a query every few seconds: back-to-back beeline JVMs took the CPU from the run and tripled its time
            time.sleep(4)
    assert run.returncode == 0, err.read_text()[-2000:]
    seen.append(tuple(rows(beeline(server.port, "SELECT count(*), max(kpi_date), count(DISTINCT kpi_date) FROM gold.kpi_daily"))[0]))
    assert len(seen) >= 3
    assert set(seen) <= {("2", "2026-01-02", "2"), ("3", "2026-01-03", "3")}, seen
    assert seen[-1] == ("3", "2026-01-03", "3")


@pytest.mark.slow
def test_a_port_in_use_or_an_empty_warehouse_is_one_line(server, tmp_path):
    busy = subprocess.run([CLI, "sql-server", "--port", str(server.port), "--warehouse", str(server.warehouse)],
                          capture_output=True, text=True, env=server.env, timeout=300)
    assert busy.returncode == 2
    assert [l for l in busy.stderr.splitlines() if l.startswith("salespulse:")] == [
        f"salespulse: cannot listen on 127.0.0.1:{server.port} (Address already in use): is another sql-server running? "
        "choose another --port"]
    empty = subprocess.run([CLI, "sql-server", "--port", str(free_port()), "--warehouse", str(tmp_path / "empty")],
                           capture_output=True, text=True, env={**server.env, "SALESPULSE_SQL_METASTORE_DIR": str(tmp_path / "ms")},
                           timeout=300)
    assert empty.returncode == 2
    assert f"salespulse: no tables under file://{tmp_path / 'empty'} yet: run a date first" in empty.stderr


@pytest.mark.slow
def test_sql_prints_a_table(generated):
    out = salespulse("sql", "SELECT kpi_date, leads_created FROM gold.kpi_daily ORDER BY kpi_date", "--warehouse",
                     str(generated.warehouse)).stdout.splitlines()
    assert out[0].split() == ["kpi_date", "|", "leads_created"]
    assert out[2].startswith("2026-01-01 |")
    assert out[-1] == "(2 rows)"
    bad = subprocess.run([CLI, "sql", "SELECT * FROM gold.nope", "--warehouse", str(generated.warehouse)],
                         capture_output=True, text=True, env=HASH_ENV)
    assert bad.returncode == 2
    said = [l for l in bad.stderr.splitlines() if l.startswith("salespulse:")]
    assert said[0].startswith("salespulse: [TABLE_OR_VIEW_NOT_FOUND]")
