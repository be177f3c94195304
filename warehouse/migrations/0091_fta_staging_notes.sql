-- The staging-category texts of an FTA schedule's general notes as captured (issue 15), a reference
-- table beside the reviewed rules of core.dim_staging_category, which they never override.
-- core.fta_staging_note — grain: (agreement_id, importer_id, category): one captured text per category.
CREATE TABLE core.fta_staging_note (
    agreement_id    VARCHAR NOT NULL,
    importer_id     VARCHAR NOT NULL,
    category        VARCHAR NOT NULL,
    description     VARCHAR,
    years           INTEGER,
    first_cut_rule  VARCHAR,
    duty_free_rule  VARCHAR,
    status          VARCHAR NOT NULL,
    source_url      VARCHAR,
    source_note     VARCHAR,
    file_hash       VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL,
    PRIMARY KEY (agreement_id, importer_id, category)
);
COMMENT ON TABLE core.fta_staging_note IS 'Staging-category texts of an FTA schedule''s general notes as loaded by `entrepot ingest staging-notes` (possibly secondary or partial; see status and source_note); grain: (agreement_id, importer_id, category). Never used for rate paths: marts.fta_staging_rules sets them beside the reviewed rules.';
COMMENT ON COLUMN core.fta_staging_note.agreement_id IS 'Agreement whose schedule the notes belong to (core.dim_agreement), as given with --agreement.';
COMMENT ON COLUMN core.fta_staging_note.importer_id IS 'Party whose schedule it is (core.dim_country), as given with --importer.';
COMMENT ON COLUMN core.fta_staging_note.category IS 'Staging category as printed (A, L, B-1, Y-10 ...).';
COMMENT ON COLUMN core.fta_staging_note.description IS 'The category''s text as captured; null where the definition was not captured.';
COMMENT ON COLUMN core.fta_staging_note.years IS 'Number of annual stages the text states; null where it states none.';
COMMENT ON COLUMN core.fta_staging_note.first_cut_rule IS 'When the first cut applies, as the text says.';
COMMENT ON COLUMN core.fta_staging_note.duty_free_rule IS 'When goods become duty-free, as the text says; null where not captured.';
COMMENT ON COLUMN core.fta_staging_note.status IS 'How the text was obtained, as the file says (quoted, truncated, not captured ...).';
COMMENT ON COLUMN core.fta_staging_note.source_url IS 'Where the text was read.';
COMMENT ON COLUMN core.fta_staging_note.source_note IS 'What that source is (e.g. a secondary mirror of the official PDF).';
COMMENT ON COLUMN core.fta_staging_note.file_hash IS 'SHA-256 of the landed file the row came from (meta.landed_files).';
COMMENT ON COLUMN core.fta_staging_note.run_id IS 'Run that loaded the row (meta.runs).';
