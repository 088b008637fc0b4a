"""docs/python.md's examples, run as written on a generated warehouse, and every table opened by deltalake."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT

DOC = ROOT / "docs" / "python.md"
LOCAL = 'WAREHOUSE = ".local/warehouse"'


@pytest.fixture(scope="module")
def warehouse(generated) -> Path:
    return generated.warehouse


def _examples() -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)
    return [b for b in blocks if LOCAL in b]


def test_the_doc_has_an_example_per_reader():
    text = "\n".join(_examples())
    for reader in ("to_pandas", "version=0", "pl.scan_delta", "duckdb.sql"):
        assert reader in text, reader


@pytest.mark.slow
@pytest.mark.parametrize("index", range(3))
def test_examples_run_as_written(warehouse, index):
    code = _examples()[index].replace(LOCAL, f'WAREHOUSE = "{warehouse}"')
    scope: dict = {}
    exec(compile(code, f"docs/python.md example {index + 1}", "exec"), scope)
    if "leads" in scope:
        assert len(scope["leads"]) > 0 and "email_hash" in scope["leads"].columns
        assert set(scope["kpi"]["kpi_date"].astype(str)) == {"2026-01-01", "2026-01-02"}
        assert len(scope["first_version"]) < len(scope["table"].to_pandas())   # version 0: the table as first created
    if "won" in scope:
        assert scope["won"].columns == ["owner_id", "won", "won_amount"]
    if "weekly" in scope:
        assert scope["weekly"]["leads"].sum() == scope["kpi_daily"].to_table().column("leads_created").to_pandas().sum()
        assert list(scope["leaderboard"].columns) == ["name", "won", "won_amount"]


@pytest.mark.slow
def test_every_table_opens_with_deltalake(warehouse):
    from deltalake import DeltaTable

    tables = sorted(p.parent for p in warehouse.glob("*/*/_delta_log"))
    layers = {t.parent.name for t in tables}
    assert {"bronze", "silver", "gold", "ops"} <= layers
    assert len(tables) >= 25   # every object landed in three days, silver, gold, ops
    for t in tables:
        # raises when the table uses a reader feature delta-rs does not support
        DeltaTable(str(t)).to_pyarrow_table()
