"""The one registry of sources: one declaration each, the only place that maps a name to code.

A declaration says what a source is (its name, file or API form, landed source name, raw model,
transform, grain and merge rule) and which loader kind merges it (trade, tariff, reference). Code is
named by ``module:attribute`` and imported only when a source is loaded, so the CLI reads the names
in milliseconds. The CLI's ``entrepot ingest`` names, the load journal's kind names (``kind_by_name``,
a rebuild), the nightly's API kinds and the rebuild's manifest replay all read ``SOURCES``.

Adding a source: a module in ``flows/sources/`` (its reader), a raw model in ``schemas/raw/``, a
transform in ``transforms/``, and one line below.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from pathlib import Path

    import pandera.polars as pa
    import polars as pl

    from transforms.conformed import Conformed

Form = Literal["file", "api"]
LoaderKind = Literal["trade", "tariff", "reference"]


class UnknownSourceError(ValueError):
    """No source of that name."""


@dataclass(frozen=True)
class Source:
    """One source's declaration. ``read``, ``model`` and ``conform`` name code as ``module:attribute``."""

    name: str
    """What ``entrepot ingest`` (a file source) and the load journal call it: never renamed."""
    form: Form
    loader: LoaderKind
    source: str
    """The source name its landed payloads and meta rows carry."""
    read: str
    model: str
    conform: str
    grain: str
    merge: str
    options: tuple[str, ...] = ()
    """The ``entrepot ingest`` options it takes (besides --file)."""
    required: tuple[str, ...] = ()
    params: Mapping[str, str] = field(default_factory=dict)
    """What its loader kind needs besides: trade, the transform's keyword arguments; tariff, the
    importer and where its default valid-from comes from; reference, the table it replaces rows of and what a row is called."""

    def code(self, what: str) -> Any:
        """The code a reference (``read``, ``model``, ``conform`` or a ``params`` value) names."""
        module, _, attribute = (self.params[what] if what in self.params else getattr(self, what)).partition(":")
        return getattr(importlib.import_module(module), attribute)


TRADE = "source, reporter, partner, product, period, flow"
UPSERT = "insert new, update changed (the previous value kept as a revision), leave unchanged"
SCD = "dated history: a changed or vanished line closed at valid-from, the new version opened"
SCOPE = "replace the scope's rows when they differ"
FILE_OPTIONS = ("force",)
TARIFF_OPTIONS = ("valid_from", "allow_removals")
ANNEX_SCOPE = ("agreement", "importer", "base_date")
NOTES_SCOPE = ("agreement", "importer")
TARIFF_LINES = "importer, source, tariff line (rates: and sub-item, rate type, program)"
T = "flows.ingest_tariffs:"  # the tariff transforms' adapters (they read the rules they need)


def _trade(name: str, form: Form, source: str, read: str, model: str, conform: str, **params: str) -> Source:
    """A trade source: ``read`` in flows.sources, ``model`` in schemas.raw, ``conform`` in transforms."""
    return Source(name, form, "trade", source, f"flows.sources.{read}", f"schemas.raw.{model}", f"transforms.{conform}",
                  TRADE, UPSERT, FILE_OPTIONS if form == "file" else (), params=params)


def _tariff(name: str, source: str, read: str, model: str, conform: str, merge: str = SCD, *,
            options: tuple[str, ...] = (), required: tuple[str, ...] = (), **params: str) -> Source:
    """A tariff file: ``conform`` an adapter of flows.ingest_tariffs; ``params`` name code there too."""
    params = {k: T + v if k != "importer" and ":" not in v else v for k, v in params.items()}
    return Source(name, "file", "tariff", source, f"flows.sources.{read}", f"schemas.raw.{model}", T + conform,
                  TARIFF_LINES, merge, TARIFF_OPTIONS + options, required, params)


def _reference(name: str, source: str, read: str, model: str, conform: str, table: str, rows: str, grain: str,
               options: tuple[str, ...]) -> Source:
    """A reference file replacing ``table``'s rows within its scope (the options it requires)."""
    return Source(name, "file", "reference", source, f"flows.sources.{read}", f"schemas.raw.{model}",
                  f"transforms.{conform}", grain, SCOPE, options, tuple(o for o in options if o != "force"),
                  {"table": table, "rows": rows})


# One line a source. Trade: name, form, landed source, reader, raw model, transform (and its arguments).
_DECLARATIONS = (
    _trade("census-country-totals", "file", "census_country_totals", "census_country_totals:read_file", "census_country_totals:CensusCountryTotalsRaw", "census_country_totals:conform"),
    _trade("comtrade", "file", "comtrade", "comtrade:read_file", "comtrade:ComtradeRaw", "comtrade:conform"),
    _trade("hs-nomenclature", "file", "hs_nomenclature", "hs_reference:read_classification", "hs_reference:HsClassificationRaw", "hs_reference:conform_classification"),
    _trade("usitc-dataweb", "file", "usitc_dataweb", "usitc_dataweb:read_file", "usitc_dataweb:DataWebRaw", "usitc_dataweb:conform"),
    _trade("census-api-exports", "file", "census_api", "census_api:read_file", "census_api:CensusApiExportsRaw", "census_api:conform", direction="export"),
    _trade("census-api-imports", "file", "census_api", "census_api:read_file", "census_api:CensusApiImportsRaw", "census_api:conform", direction="import"),
    _trade("census-api-porths", "file", "census_api_porths", "census_api:read_file", "census_porths:CensusPortHsRaw", "census_porths:conform"),
    _trade("census-api-response:export", "api", "census_api", "census_api:read_payload", "census_api:CensusApiExportsRaw", "census_api:conform", direction="export"),
    _trade("census-api-response:import", "api", "census_api", "census_api:read_payload", "census_api:CensusApiImportsRaw", "census_api:conform", direction="import"),
    _trade("comtrade-api-response", "api", "comtrade", "comtrade_api:read_payload", "comtrade:ComtradeRaw", "comtrade:conform"),
    _trade("kcs-trade-response", "api", "kcs_trade", "kcs_trade:read_payload", "kcs_trade:KcsTradeRaw", "kcs_trade:conform"),
    # Tariff: name, landed source, reader, raw model, adapter, merge rule; options, importer, default valid-from.
    _tariff("usitc-hts", "usitc_hts", "usitc_hts:read_file", "usitc_hts:UsitcHtsRaw", "conform_hts", required=("valid_from",), importer="USA", rejects="transforms.usitc_hts:duplicate_lines"),
    _tariff("korea-mfn", "korea_mfn", "korea_tariff:read_wits", "korea_tariff:WitsTariffRaw", "conform_mfn", importer="KOR", default_valid_from="wits_year"),
    _tariff("korus-schedule", "korus_schedule", "korea_tariff:read_annex", "korea_tariff:KorusAnnexRaw", "conform_korus", SCOPE, importer="KOR", default_valid_from="korus_in_force"),
    _tariff("kcs-tariff", "kcs_tariff", "korea_tariff:read_kcs", "korea_tariff:KcsTariffRaw", "conform_kcs", SCOPE, importer="KOR", default_valid_from="kcs_start"),
    _tariff("fta-annex", "fta_annex", "korea_tariff:read_fta_annex", "korea_tariff:FtaAnnexRaw", "conform_kcs", SCOPE, options=ANNEX_SCOPE, required=ANNEX_SCOPE, importer=""),
    # Reference: name, landed source, reader, raw model, transform, table, what a row is, grain, options.
    _reference("hs-concordance", "hs_concordance", "hs_reference:read_conversion", "hs_reference:HsConversionRaw", "hs_reference:conform_concordance", "core.hs_concordance", "concordance rows", "from vintage, from code, to vintage, to code", FILE_OPTIONS),
    _reference("staging-notes", "fta_staging_notes", "korea_tariff:read_staging_notes", "korea_tariff:StagingNoteRaw", "staging_notes:conform", "core.fta_staging_note", "texts", "agreement, importer, staging category", NOTES_SCOPE),
)
SOURCES: dict[str, Source] = {d.name: d for d in _DECLARATIONS}
"""Every source by name."""
INGEST_NAMES: tuple[str, ...] = tuple(sorted(d.name for d in _DECLARATIONS if d.form == "file"))
"""What ``entrepot ingest`` accepts: every file source."""


def declaration(name: str, form: Form | None = None) -> Source:
    """The declaration of ``name`` (of that form, if given)."""
    found = SOURCES.get(name)
    if found is None or (form is not None and found.form != form):
        known = ", ".join(n for n, d in SOURCES.items() if form is None or d.form == form)
        raise UnknownSourceError(f"unknown source {name!r}; sources: {known}")
    return found


@dataclass(frozen=True)
class PayloadKind:
    """How to turn one landed payload of a trade source into conformed rows (a declaration resolved)."""

    source: str
    read: Callable[[Path], pl.DataFrame]
    model: type[pa.DataFrameModel]
    conform: Callable[[pl.DataFrame, pl.DataFrame, str], Conformed]
    """(valid raw rows, country-code crosswalk, file hash) -> conformed rows."""
    name: str = ""
    """What the load journal calls it (``kind_by_name`` finds it again for a rebuild)."""


_KINDS: dict[str, PayloadKind] = {}


def kind_by_name(name: str) -> PayloadKind:
    """The payload kind of the trade source ``name`` (as the load journal names it)."""
    if name not in _KINDS:
        found = SOURCES.get(name)
        if found is None or found.loader != "trade":
            raise UnknownSourceError(f"the load journal names a payload kind this version does not know: {name!r}")
        transform, bound = found.code("conform"), dict(found.params)
        _KINDS[name] = PayloadKind(
            source=found.source, read=found.code("read"), model=found.code("model"), name=name,
            conform=lambda raw, crosswalk, file_hash: transform(raw, crosswalk=crosswalk, file_hash=file_hash, **bound),
        )
    return _KINDS[name]


def census_api_kind(direction: str) -> PayloadKind:
    """The payload kind of a Census API response for ``direction`` (export or import)."""
    return kind_by_name(f"census-api-response:{direction}")


def is_trade_source(source: str) -> bool:
    """Whether landed payloads of ``source`` load through the trade loader (``kind_for_payload``)."""
    return any(d.source == source and d.loader == "trade" for d in _DECLARATIONS)


def kind_for_payload(source: str, request: str) -> PayloadKind:
    """The payload kind of a landed payload, from its source and request (as in the manifest): the
    trade declaration of that source and form (a ``file:`` request is a file), by direction if several."""
    mine = [d for d in _DECLARATIONS if d.source == source and d.loader == "trade"]
    if not mine:
        raise UnknownSourceError(f"no reader for landed payloads of source {source!r}")
    form = "file" if request.startswith("file:") else "api"
    mine = [d for d in mine if d.form == form] or mine
    direction = "export" if "export" in request.lower() else "import"
    mine = [d for d in mine if d.params.get("direction", direction) == direction] or mine
    return kind_by_name(mine[0].name)
