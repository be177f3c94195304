"""`entrepot docs`: every table and column with its description from the DDL."""

from __future__ import annotations

from pathlib import Path

from flows.cli import main
from warehouse.connection import warehouse
from warehouse.dictionary import dictionary, mart_descriptions
from warehouse.migrate import migrate


def test_dictionary_lists_every_table_and_column_with_comments(tmp_path: Path) -> None:
    with warehouse(tmp_path / "wh.duckdb") as con:
        migrate(con)
        docs = {d.name: d for d in dictionary(con)}
        columns = con.sql(
            "SELECT count(*) FROM duckdb_columns() WHERE schema_name IN ('core', 'marts', 'meta') "
            "AND database_name = current_database()"
        ).fetchall()[0][0]
    assert sum(len(d.columns) for d in docs.values()) == columns
    fact = docs["core.fact_trade"]
    assert fact.kind == "table" and fact.description.startswith("Trade values as each source publishes them")
    value = next(c for c in fact.columns if c.name == "value_usd")
    assert value.data_type == "DECIMAL(20,2)" and "US dollars" in value.description
    balance = docs["marts.trade_balance"]
    assert balance.kind == "view" and "grain: (source, reporter_iso3, partner_iso3, year)" in balance.description
    vintage = docs.get("marts.trade_by_sector")  # no COMMENT ON VIEW: described by its file's header
    assert vintage is None or vintage.description.startswith("marts.trade_by_sector — grain:")


def test_every_core_and_meta_column_and_headline_mart_column_is_described(tmp_path: Path) -> None:
    with warehouse(tmp_path / "wh.duckdb") as con:
        migrate(con)
        docs = dictionary(con)
    described = {d.name: d for d in docs}
    missing = [f"{d.name}.{c.name}" for d in docs if d.name.split(".")[0] in ("core", "meta")
               for c in d.columns if not c.description]
    assert missing == []
    headline = {"marts.trade_yearly": ["source", "year", "value_usd", "months_covered"],
                "marts.trade_balance": ["year", "exports_usd", "imports_usd", "balance_usd", "exports_basis"],
                "marts.partner_rank": ["year", "total_trade_usd", "rank"]}
    for mart, names in headline.items():
        assert not described[mart].description.startswith(mart)  # its COMMENT ON VIEW, not the file header
        shown = {c.name: c.description for c in described[mart].columns}
        assert all(shown[name] for name in names), (mart, shown)
    assert all(d.description for d in docs if not d.name.startswith("marts.")), "every table has a comment"
    balance = {c.name: c.description for c in described["marts.trade_balance"].columns}
    assert "US dollars" in balance["balance_usd"] and "deficit" in balance["balance_usd"]
    history = {c.name: c.description for c in described["marts.trade_history"].columns}
    assert history["value_usd"].startswith("Value in US dollars")  # inherited from core.fact_trade


def test_mart_descriptions_come_from_the_comment_above_each_view() -> None:
    described = mart_descriptions()
    assert described["marts.partner_rank"].startswith("marts.partner_rank — grain:")
    assert "Only countries are ranked" in described["marts.partner_rank"]


def test_docs_command_prints_and_writes_markdown(tmp_path: Path, capsys) -> None:
    wh = str(tmp_path / "wh.duckdb")
    assert main(["--warehouse", wh, "migrate"]) == 0
    capsys.readouterr()
    assert main(["--warehouse", wh, "docs"]) == 0
    printed = capsys.readouterr().out
    assert "## core.fact_trade (table)" in printed
    assert "| value_usd | DECIMAL(20,2) | yes | Value in US dollars" in printed
    assert main(["--warehouse", wh, "docs", "--out", str(tmp_path / "dictionary.md")]) == 0
    assert (tmp_path / "dictionary.md").read_text() == printed
