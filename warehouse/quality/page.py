"""The quality page: one self-contained HTML file (inline CSS, no script, nothing fetched), readable
offline and fit to mail. The latest run's failures come first, then every kept run, newest first."""

from __future__ import annotations

import datetime as dt
from html import escape

from warehouse.quality.report import CRITICAL, CheckReport, Outcome

STYLE = """
:root { color-scheme: light; --ok: #1a7f37; --bad: #c62828; --warn: #9a6700; --line: #d8dee4; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: #1f2328; margin: 0 auto; padding: 24px 32px 48px; max-width: 1180px; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 19px; margin: 28px 0 8px; }
h3 { font-size: 16px; margin: 18px 0 6px; } .sub { color: #59636e; margin: 0 0 16px; }
code { font: 13px/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
table { border-collapse: collapse; width: 100%; margin: 4px 0 12px; font-size: 14px; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
td.detail { overflow-wrap: anywhere; } td.observed { overflow-wrap: break-word; } td.detail { max-width: 300px; font-size: 13px; }
td.nowrap { white-space: nowrap; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.banner { border-radius: 8px; padding: 14px 18px; margin: 16px 0; border: 1px solid; }
.banner.pass { background: #eaf6ec; border-color: #a6d8b0; } .banner.fail { background: #fdecea; border-color: #f0b4ae; }
.banner.warn { background: #fff6dd; border-color: #ecd58a; }
.banner h2 { margin: 0 0 4px; }
.badge { display: inline-block; border-radius: 10px; padding: 0 8px; font-size: 12px; font-weight: 600;
         color: #fff; white-space: nowrap; }
.badge.pass { background: var(--ok); } .badge.fail { background: var(--bad); } .badge.warn { background: var(--warn); }
.sev-critical { font-weight: 600; } tr.failed .sev-critical { color: var(--bad); }
tr.warned .sev-warning { color: var(--warn); font-weight: 600; }
tr.failed td { background: #fff5f4; } tr.warned td { background: #fffbea; }
details { border: 1px solid var(--line); border-radius: 8px; margin: 10px 0; padding: 0 14px; }
details[open] { padding-bottom: 8px; }
summary { cursor: pointer; padding: 10px 0; font-weight: 600; }
.why { color: #59636e; font-size: 13px; }
footer { color: #59636e; font-size: 13px; margin-top: 32px; border-top: 1px solid var(--line); padding-top: 10px; }
"""


def _when(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _verdict(report: CheckReport) -> tuple[str, str]:
    """The run's CSS class and words: failed (a critical expectation), warnings, or passed."""
    if report.critical_failures:
        return "fail", "failed"
    return ("warn", "passed with warnings") if report.warnings else ("pass", "passed")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _counts(report: CheckReport) -> str:
    total, failed, warned = len(report.outcomes), len(report.critical_failures), len(report.warnings)
    return (f"{total - failed - warned} of {_plural(total, 'expectation')} passed, "
            f"{failed} critical failed, {_plural(warned, 'warning')}")


def _badge(o: Outcome) -> str:
    if o.success:
        return '<span class="badge pass">pass</span>'
    return f'<span class="badge {"fail" if o.severity == CRITICAL else "warn"}">fail</span>'


def _row(o: Outcome, with_suite: bool) -> str:
    style = "" if o.success else ' class="failed"' if o.severity == CRITICAL else ' class="warned"'
    cells = [f"<td>{escape(o.suite)}</td>"] if with_suite else []
    about = ([f"column <code>{escape(o.column)}</code>"] if o.column else []) + ([escape(o.notes)] if o.notes else [])
    why = f'<div class="why">{" · ".join(about)}</div>' if about else ""
    cells += [
        f'<td><code class="name">{escape(o.expectation)}</code>{why}</td>',
        f'<td class="sev-{escape(o.severity)}">{escape(o.severity)}</td>',
        f"<td>{_badge(o)}</td>",
        f'<td class="observed">{escape(o.observed)}</td>',
        f"<td>{escape(o.expected)}</td>",
        f'<td class="detail">{escape(o.detail)}</td>',
    ]
    return f"<tr{style}>{''.join(cells)}</tr>"


def _table(outcomes: list[Outcome], with_suite: bool) -> str:
    heads = (["suite"] if with_suite else []) + [
        "expectation", "severity", "result", "observed", "expected", "failing rows / error"]
    head = "".join(f"<th>{h}</th>" for h in heads)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(_row(o, with_suite) for o in outcomes)}</tbody></table>"


def _latest(report: CheckReport) -> str:
    kind, words = _verdict(report)
    failures = report.critical_failures + report.warnings
    body = (_table(failures, with_suite=True) if failures
            else f"<p>All {len(report.outcomes)} expectations passed.</p>")
    return (f'<section class="banner {kind}" id="latest"><h2>Latest run: {words}</h2>'
            f"<p>Run <code>{escape(report.run_name)}</code> at {_when(report.run_time)}: {_counts(report)}.</p>"
            f"{body}</section>")


def _index(runs: list[CheckReport]) -> str:
    rows = []
    for number, report in enumerate(runs):
        kind, words = _verdict(report)
        rows.append(
            f'<tr><td>{_when(report.run_time)}</td><td><a href="#run-{number}"><code>{escape(report.run_name)}'
            f'</code></a></td><td><span class="badge {kind}">{words}</span></td>'
            f'<td class="num">{len(report.outcomes)}</td><td class="num">{len(report.critical_failures)}</td>'
            f'<td class="num">{len(report.warnings)}</td></tr>'
        )
    head = "".join(f"<th>{h}</th>" for h in ["time", "run", "gate", "expectations", "critical failed", "warnings"])
    return f"<h2>Runs</h2><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _run(number: int, report: CheckReport) -> str:
    kind, words = _verdict(report)
    suites: dict[str, list[Outcome]] = {}
    for o in report.outcomes:
        suites.setdefault(o.suite, []).append(o)
    parts = []
    for name, outcomes in suites.items():
        passed = sum(o.success for o in outcomes)
        parts.append(f"<h3>{escape(name)} <small>({passed} of {len(outcomes)} passed)</small></h3>"
                     + _table(outcomes, with_suite=False))
    return (f'<details id="run-{number}"{" open" if number == 0 else ""}><summary>'
            f'<span class="badge {kind}">{words}</span> <code>{escape(report.run_name)}</code> · '
            f"{_when(report.run_time)} · {_counts(report)}</summary>{''.join(parts)}</details>")


def render_page(runs: list[CheckReport], *, gx_index: bool = False) -> str:
    """The whole page for ``runs`` (newest first); ``gx_index`` links GX's Data Docs beside it."""
    docs = ('GX\'s own Data Docs: <a href="index.html">index.html</a> (same folder; their styles and list '
            "need the internet).") if gx_index else "GX's own Data Docs have not been built here."
    body = ([_latest(runs[0]), _index(runs), "<h2>Every expectation, per run</h2>",
             *(_run(n, r) for n, r in enumerate(runs))] if runs else ["<p>No gated run yet.</p>"])
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>entrepot quality gates</title><style>{STYLE}</style></head><body>"
        "<h1>entrepot quality gates</h1>"
        f'<p class="sub">The Great Expectations checkpoint run inside each load, before COMMIT: the last '
        f"{_plural(len(runs), 'gated run')}, newest first. A critical failure rolls the load back; a warning is reported "
        f"and the load commits.</p>{''.join(body)}"
        f"<footer>{docs} Generated {_when(dt.datetime.now(dt.UTC))}.</footer></body></html>\n"
    )
