"""Revisions through the Census API path: a month loaded, then re-published with one changed value."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from flows.demo.server import DemoUpstream, serve
from flows.nightly import nightly

pytestmark = pytest.mark.prefect

TODAY = dt.date(2026, 3, 10)  # the demo publishes with a two-month lag: January 2026 is the latest month
KEY = ("export", "2026-01", "5800", "85")
FACT = """
    SELECT value_usd FROM core.fact_trade
    WHERE source = 'census_api' AND partner_id = 'KOR' AND product_id = 'HS2022:85'
      AND period_id = '2026-01' AND flow_id = 'X_FAS'
"""


@pytest.fixture(scope="module")
def revised(tmp_path_factory: pytest.TempPathFactory, prefect_server):
    """Load January 2026, then load it again after Korea's HS 85 exports were re-published."""
    root = tmp_path_factory.mktemp("revisions")
    path = root / "wh.duckdb"
    mp = pytest.MonkeyPatch()
    try:
        with serve(DemoUpstream(today=TODAY)) as (url, state):
            mp.setenv("ENTREPOT_LANDING_DIR", str(root / "landing"))
            mp.setenv("ENTREPOT_UPSTREAM", "live")
            mp.setenv("ENTREPOT_CENSUS_API__BASE_URL", url)
            mp.setenv("ENTREPOT_REVISION_WINDOW_YEARS", "0")
            first = nightly(warehouse_path=str(path), today=TODAY)
            with duckdb.connect(str(path), read_only=True) as con:
                old = float(con.sql(FACT).fetchall()[0][0])
            state.revisions[KEY] = int(old) + 1_234_567
            second = nightly(warehouse_path=str(path), today=TODAY)
    finally:
        mp.undo()
    return path, first, second, old


def test_revised_value_replaces_the_fact_and_the_old_one_is_kept(revised) -> None:
    path, first, second, old = revised
    assert first.result.facts_inserted > 0 and first.result.facts_updated == 0
    assert second.result.facts_updated == 1 and second.result.facts_inserted == 0
    with duckdb.connect(str(path), read_only=True) as con:
        assert float(con.sql(FACT).fetchall()[0][0]) == old + 1_234_567
        kept = con.sql(
            """
            SELECT value_usd, run_id, superseded_by_run FROM core.fact_trade_revision
            WHERE partner_id = 'KOR' AND product_id = 'HS2022:85' AND period_id = '2026-01'
            """
        ).fetchall()
    assert [(float(v), r, s) for v, r, s in kept] == [(old, first.result.run_id, second.result.run_id)]


def test_as_of_between_the_loads_returns_the_old_value(revised) -> None:
    path, _first, _second, old = revised
    grain = "partner_id = 'KOR' AND product_id = 'HS2022:85' AND period_id = '2026-01' AND flow_id = 'X_FAS'"
    with duckdb.connect(str(path), read_only=True) as con:
        loaded, superseded = con.sql(
            f"SELECT loaded_at, superseded_at FROM core.fact_trade_revision WHERE {grain}"
        ).fetchall()[0]
        between = loaded + (superseded - loaded) / 2
        before = loaded - dt.timedelta(seconds=1)

        def as_of(moment: dt.datetime) -> list[float]:
            rows = con.execute(
                f"SELECT value_usd FROM marts.trade_as_of(?) WHERE {grain}", [moment]
            ).fetchall()
            return [float(r[0]) for r in rows]

        assert as_of(between) == [old]
        assert as_of(superseded + dt.timedelta(seconds=1)) == [old + 1_234_567]
        assert as_of(before) == []
        first_published = con.sql(
            "SELECT first_value_usd, current_value_usd, revisions "
            f"FROM marts.trade_first_published WHERE {grain}"
        ).fetchall()
        assert [(float(a), float(b), n) for a, b, n in first_published] == [(old, old + 1_234_567, 1)]
        # every other fact is as it was: the as-of view between the loads equals the first load
        unchanged = con.execute(
            "SELECT count(*) FROM marts.trade_as_of(?) AS a JOIN core.fact_trade AS f "
            "USING (source, reporter_id, partner_id, product_id, period_id, flow_id) "
            "WHERE a.value_usd IS DISTINCT FROM f.value_usd",
            [between],
        ).fetchall()[0][0]
        assert unchanged == 1
