-- Column comments 0020_tariffs.sql left out (every tariff column documented).
COMMENT ON COLUMN core.dim_agreement.name IS 'Full English title of the agreement.';
COMMENT ON COLUMN core.dim_staging_category.agreement_id IS 'Agreement whose schedule defines the category (core.dim_agreement).';
COMMENT ON COLUMN core.dim_staging_category.category IS 'Staging category as printed in the schedule (A, B, ..., L, M, N, X ...).';
COMMENT ON COLUMN core.dim_staging_category.rule_text IS 'The rule in words: quoted where status = quoted, paraphrased otherwise; null when unknown.';
COMMENT ON COLUMN core.dim_tariff_edition.importer_id IS 'Country applying the schedule (core.dim_country).';
COMMENT ON COLUMN core.dim_tariff_edition.file_hash IS 'SHA-256 of the landed file the edition was loaded from (meta.landed_files).';
COMMENT ON COLUMN core.dim_tariff_edition.run_id IS 'Run that last loaded the edition (meta.runs).';
COMMENT ON COLUMN core.dim_tariff_edition.loaded_at IS 'When that run committed (UTC).';
COMMENT ON COLUMN core.dim_tariff_line.source IS 'Dataset: usitc_hts, korea_mfn, korus_schedule.';
COMMENT ON COLUMN core.dim_tariff_line.description IS 'The row''s own description as printed (often just "Other"; see description_path).';
COMMENT ON COLUMN core.dim_tariff_program.name IS 'Name of the program or agreement; null for a code not in the reviewed seed.';
