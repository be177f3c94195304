"""The command line's shape and its errors, each run in a fresh process with a probe that reports
which heavy modules the command imported: a command that runs no flow never imports Prefect."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from flows.cli import build_parser
from flows.commands import check_ingest
from tests.conftest import REPO

HEAVY = ("prefect", "pandera", "great_expectations", "pyarrow")
PROBE = f"""
import json, os, sys
from flows.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
finally:
    with open(os.environ["PROBE_OUT"], "w") as out:
        json.dump({{"heavy": [m for m in {HEAVY!r} if m in sys.modules]}}, out)
raise SystemExit(code)
"""


def run(cwd: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """``entrepot ARGS`` in ``cwd``; the process and the heavy modules it imported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENTREPOT_", "PREFECT_API_URL"))}
    out = cwd / "probe.json"
    env.update({"PYTHONPATH": str(REPO), "PREFECT_HOME": str(cwd / ".prefect"), "PROBE_OUT": str(out),
                "ENTREPOT_WAREHOUSE": str(cwd / "w.duckdb"), "ENTREPOT_LANDING_DIR": str(cwd / "landing")})
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=120)
    return done, json.loads(out.read_text())["heavy"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A directory holding a small warehouse (built without Prefect) as w.duckdb; built in a child
    process, so this one holds no DuckDB connection cached by the pipeline (tests/flows/test_exit_clean.py)."""
    cwd = tmp_path_factory.mktemp("built")
    script = "import sys; from pathlib import Path; from tests.demo_warehouse import build; build(Path(sys.argv[1]), Path(sys.argv[2]))"
    subprocess.run([sys.executable, "-c", script, str(cwd / "w.duckdb"), str(cwd / "landing")], cwd=REPO,
                   env={**os.environ, "PYTHONPATH": str(REPO)}, check=True, timeout=300)
    return cwd


ERRORS = {
    "no command": [],
    "unknown command": ["nosuch"],
    "ingest without --file": ["ingest", "census-country-totals"],
    "unknown source": ["ingest", "nosuch", "--file", "x.csv"],
    "file not found": ["ingest", "census-country-totals", "--file", "missing.csv"],
    "a directory": ["ingest", "comtrade", "--file", "."],
    "usitc-hts without --valid-from": ["ingest", "usitc-hts", "--file", "w.duckdb"],
    "bad date": ["ingest", "usitc-hts", "--file", "w.duckdb", "--valid-from", "2024-13-01"],
    "option of another source": ["ingest", "comtrade", "--file", "w.duckdb", "--valid-from", "2024-01-01"],
    "fta-annex without its options": ["ingest", "fta-annex", "--file", "w.duckdb", "--agreement", "VKFTA"],
    "staging-notes without its scope": ["ingest", "staging-notes", "--file", "w.duckdb"],
    "bad month": ["run", "backfill", "--start", "2024-13", "--end", "2024-12"],
    "start after end": ["run", "backfill", "--start", "2024-03", "--end", "2024-01"],
    "unknown table": ["sql", "SELECT * FROM nosuch"],
    "a write": ["sql", "DELETE FROM core.fact_trade"],
    "bad settings file": ["--config", "bad.toml", "status"],
    "bench without a run": ["bench", "--runs", "0"],
}


@pytest.mark.parametrize("args", ERRORS.values(), ids=ERRORS.keys())
def test_user_errors_are_one_line_and_never_start_prefect(built: Path, args: list[str]) -> None:
    (built / "bad.toml").write_text("no_such_setting = 1\nquarantine_max_share = 'x'\n")
    done, heavy = run(built, *args)
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("entrepot: error: ") and done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert "prefect" not in heavy


READS = {
    "sql": ["sql", "SELECT count(*) FROM core.fact_trade"],
    "status": ["status"],
    "docs": ["docs"],
    "report": ["report", "--out", "report.html"],
    "export": ["export", "exported"],
    "migrate": ["migrate"],
    "help": ["--help"],
    "ingest help": ["ingest", "--help"],
    "version": ["--version"],
}


@pytest.mark.parametrize("args", READS.values(), ids=READS.keys())
def test_commands_that_run_no_flow_never_import_prefect(built: Path, args: list[str]) -> None:
    done, heavy = run(built, *args)
    assert done.returncode == 0, done.stderr
    assert "prefect" not in heavy


def test_sql_imports_neither_pyarrow_nor_pandera(built: Path) -> None:
    done, heavy = run(built, "sql", "SELECT 1 AS one, INTERVAL 1 DAY AS d, union_value(k := 2) AS u", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["one,d,u", "1,1 day,2"]
    assert heavy == []


def test_debug_shows_the_traceback(built: Path) -> None:
    done, _ = run(built, "--debug", "sql", "SELECT * FROM nosuch")
    assert done.returncode != 0 and "Traceback" in done.stderr and "nosuch" in done.stderr


def test_version(built: Path) -> None:
    done, _ = run(built, "--version")
    assert done.stdout == f"entrepot {version('entrepot')}\n"


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], argparse.ArgumentParser]:
    subparsers = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subparsers:
        return {path: parser}
    return {leaf: p for name, sub in subparsers[0].choices.items() for leaf, p in _leaves(sub, (*path, name)).items()}


def test_every_command_has_its_own_handler() -> None:
    leaves = _leaves(build_parser())
    handlers = {path: parser.get_default("handler") for path, parser in leaves.items()}
    assert None not in handlers.values(), handlers
    assert len(set(handlers.values())) == len(handlers)  # one function per command
    assert ("run", "nightly") in handlers and ("ingest",) in handlers and ("sql",) in handlers


def test_ingest_names_are_the_registrys_file_sources() -> None:
    from flows.registry import SOURCES

    parser = _leaves(build_parser())[("ingest",)]
    choices = next(a.choices for a in parser._actions if a.dest == "source")
    assert sorted(choices) == sorted(n for n, d in SOURCES.items() if d.form == "file")
    assert {SOURCES[n].loader for n in choices} == {"trade", "tariff", "reference"}


def _ingest(tmp_path: Path, source: str, **options: object) -> argparse.Namespace:
    file = tmp_path / "f.csv"
    file.write_text("x\n")
    args = build_parser().parse_args(["ingest", source, "--file", str(file)])
    vars(args).update(options)
    return args


def test_check_ingest_returns_the_checked_options(tmp_path: Path) -> None:
    assert check_ingest(_ingest(tmp_path, "comtrade", force=True)) == {}
    assert check_ingest(_ingest(tmp_path, "staging-notes", agreement="KORUS", importer="KOR")) == {
        "agreement": "KORUS", "importer": "KOR"}
    annex = _ingest(tmp_path, "fta-annex", agreement="VKFTA", importer="KOR", base_date="2015-12-20")
    assert check_ingest(annex) == {"agreement": "VKFTA", "importer": "KOR", "base_date": "2015-12-20"}


@pytest.mark.parametrize(("source", "options", "message"), [
    ("usitc-hts", {"force": True}, "--force does not apply"),
    ("staging-notes", {"agreement": "KORUS", "importer": "KOR", "base_date": "2020-01-01"}, "--base-date does not apply"),
    ("korea-mfn", {"agreement": "KORUS"}, "korea-mfn: --agreement does not apply"),
    ("usitc-hts", {}, "usitc-hts: --valid-from required"),
    ("staging-notes", {"agreement": "KORUS"}, "staging-notes: --importer required"),
    ("fta-annex", {"agreement": "vkfta", "importer": "KOR", "base_date": "2015-12-20"}, "--agreement 'vkfta'"),
    ("fta-annex", {"agreement": "VKFTA", "importer": "KOR", "base_date": "2015-13-01"}, "--base-date"),
    ("hs-concordance", {"allow_removals": True}, "--allow-removals does not apply"),
])
def test_check_ingest_refuses(tmp_path: Path, source: str, options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_ingest(_ingest(tmp_path, source, **options))


def test_bad_settings_name_the_file_and_each_setting(built: Path) -> None:
    (built / "bad.toml").write_text("no_such_setting = 1\nquarantine_max_share = 'x'\n")
    done, _ = run(built, "--config", "bad.toml", "sql", "SELECT 1")
    assert done.stderr.startswith("entrepot: error: bad settings (bad.toml or ENTREPOT_*): quarantine_max_share: ")
    assert "no_such_setting: Extra inputs are not permitted" in done.stderr
