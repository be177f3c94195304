-- Descriptions of the core and meta columns that had none, so `entrepot docs` describes every column.
COMMENT ON COLUMN core.dim_country.iso3 IS 'ISO 3166-1 alpha-3 code; null for aggregates.';
COMMENT ON COLUMN core.dim_country.iso2 IS 'ISO 3166-1 alpha-2 code; null for aggregates.';
COMMENT ON COLUMN core.dim_country.name IS 'English short name.';
COMMENT ON COLUMN core.dim_country.aggregate_kind IS 'For aggregates: world, union, region, agreement or product group; null for countries.';

COMMENT ON COLUMN core.dim_country_code.scheme IS 'Code list: census, comtrade, iso2, iso3 or m49.';
COMMENT ON COLUMN core.dim_country_code.code IS 'The code as the source writes it (e.g. 5800, 410, KR).';
COMMENT ON COLUMN core.dim_country_code.country_id IS 'Country or aggregate the code stands for (core.dim_country).';
COMMENT ON COLUMN core.dim_country_code.source_name IS 'Name the source gives the code, where known.';
COMMENT ON COLUMN core.dim_country_code.note IS 'Why the mapping is what it is, where it is not obvious.';

COMMENT ON COLUMN core.dim_flow.flow_id IS 'Direction and valuation: X_FAS, X_FOB, M_GEN_CUSTOMS, M_CIF, ...';
COMMENT ON COLUMN core.dim_flow.description IS 'What the measure is and which source publishes it.';

COMMENT ON COLUMN core.dim_period.period_id IS 'YYYY for a year, YYYY-MM for a month.';
COMMENT ON COLUMN core.dim_period.year IS 'Calendar year.';
COMMENT ON COLUMN core.dim_period.month IS 'Month 1-12; null for a year.';
COMMENT ON COLUMN core.dim_period.start_date IS 'First day of the period.';
COMMENT ON COLUMN core.dim_period.end_date IS 'Last day of the period (inclusive).';

COMMENT ON COLUMN core.dim_product.classification IS 'TOTAL (all goods) or HS.';
COMMENT ON COLUMN core.dim_product.code IS 'The code without separators (8703), or TOTAL.';
COMMENT ON COLUMN core.dim_product.parent_id IS 'product_id of the code one level up (heading -> chapter); null at the top.';
COMMENT ON COLUMN core.dim_product.description IS 'Description as the nomenclature or the source gives it.';

COMMENT ON COLUMN core.fact_trade.product_id IS 'Product (core.dim_product): TOTAL or an HS code of one vintage.';
COMMENT ON COLUMN core.fact_trade.flow_id IS 'Direction and valuation basis (core.dim_flow).';
COMMENT ON COLUMN core.fact_trade.quantity_unit IS 'Unit of quantity as published (kg, No., ...); null when no quantity.';
COMMENT ON COLUMN core.fact_trade.loaded_at IS 'When this value was written (UTC).';

COMMENT ON COLUMN core.fact_trade_revision.source IS 'Dataset the value comes from (as in core.fact_trade).';
COMMENT ON COLUMN core.fact_trade_revision.reporter_id IS 'Country whose statistics these are (core.dim_country).';
COMMENT ON COLUMN core.fact_trade_revision.partner_id IS 'Trading partner (core.dim_country).';
COMMENT ON COLUMN core.fact_trade_revision.product_id IS 'Product (core.dim_product).';
COMMENT ON COLUMN core.fact_trade_revision.period_id IS 'Month (YYYY-MM) or year (YYYY).';
COMMENT ON COLUMN core.fact_trade_revision.flow_id IS 'Direction and valuation basis (core.dim_flow).';
COMMENT ON COLUMN core.fact_trade_revision.value_usd IS 'The replaced value in US dollars.';
COMMENT ON COLUMN core.fact_trade_revision.quantity IS 'The replaced quantity, in quantity_unit.';
COMMENT ON COLUMN core.fact_trade_revision.quantity_unit IS 'Unit of quantity as published.';
COMMENT ON COLUMN core.fact_trade_revision.value_status IS 'reported, partial or suppressed, as it was.';
COMMENT ON COLUMN core.fact_trade_revision.run_id IS 'Run that had written the replaced value (meta.runs).';
COMMENT ON COLUMN core.fact_trade_revision.file_hash IS 'Landed payload the replaced value came from (meta.landed_files).';
COMMENT ON COLUMN core.fact_trade_revision.loaded_at IS 'When the replaced value was written (UTC): start of its validity.';
COMMENT ON COLUMN core.fact_trade_revision.superseded_at IS 'When a later release replaced it (UTC): end of its validity, exclusive.';
COMMENT ON COLUMN core.fact_trade_revision.superseded_by_run IS 'Run that replaced it (meta.runs).';

COMMENT ON COLUMN core.hs_concordance.from_vintage IS 'HS edition converted from: HS2007, HS2012, HS2017, HS2022.';
COMMENT ON COLUMN core.hs_concordance.from_code IS 'Code in from_vintage, digits only.';
COMMENT ON COLUMN core.hs_concordance.to_vintage IS 'HS edition converted to.';
COMMENT ON COLUMN core.hs_concordance.to_code IS 'Code in to_vintage, digits only.';
COMMENT ON COLUMN core.hs_concordance.run_id IS 'Run that loaded the row (meta.runs).';

COMMENT ON COLUMN meta.landed_files.source IS 'Dataset of the payload.';
COMMENT ON COLUMN meta.landed_files.fetched_at IS 'When the payload was fetched or read (UTC).';
COMMENT ON COLUMN meta.landed_files.bytes IS 'Size of the payload in bytes.';
COMMENT ON COLUMN meta.landed_files.first_run_id IS 'Run that first loaded this payload for this request (meta.runs).';
COMMENT ON COLUMN meta.landed_files.last_run_id IS 'Run that last loaded it (meta.runs).';

COMMENT ON COLUMN meta.quarantine.run_id IS 'Run that read the row (meta.runs; absent there if the run rolled back).';
COMMENT ON COLUMN meta.quarantine.source IS 'Dataset of the file.';
COMMENT ON COLUMN meta.quarantine.file_hash IS 'Landed payload the row is in (meta.landed_files).';
COMMENT ON COLUMN meta.quarantine.file_name IS 'File name, or the request for an API payload.';
COMMENT ON COLUMN meta.quarantine.field IS 'Column that failed; null for a check on the whole row.';
COMMENT ON COLUMN meta.quarantine.value IS 'The failing value as text.';
COMMENT ON COLUMN meta.quarantine.reason IS 'Which check failed, in words.';
COMMENT ON COLUMN meta.quarantine.quarantined_at IS 'When the row was quarantined (UTC).';

COMMENT ON COLUMN meta.runs.flow_name IS 'Flow that ran: nightly, backfill, ingest <source> ...';
COMMENT ON COLUMN meta.runs.source IS 'Datasets loaded by the run, comma-separated.';
COMMENT ON COLUMN meta.runs.started_at IS 'When the run started (UTC).';
COMMENT ON COLUMN meta.runs.finished_at IS 'When the load committed (UTC); duration = finished_at - started_at.';
COMMENT ON COLUMN meta.runs.status IS 'succeeded (failed runs roll back and write no row).';
COMMENT ON COLUMN meta.runs.message IS 'Notes of the run (skipped cells, quality warnings), if any.';

COMMENT ON TABLE meta.schema_version IS 'Migrations applied to this file; grain: version.';
COMMENT ON COLUMN meta.schema_version.version IS 'Number of the migration file (NNNN_name.sql).';
COMMENT ON COLUMN meta.schema_version.name IS 'Name of the migration file.';
COMMENT ON COLUMN meta.schema_version.checksum IS 'SHA-256 of the file when applied: an edited applied migration is refused.';
COMMENT ON COLUMN meta.schema_version.applied_at IS 'When it was applied (UTC).';
