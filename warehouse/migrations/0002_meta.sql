-- meta.runs — grain: one row per successful load run (a failed run writes nothing).
CREATE TABLE meta.runs (
    run_id            VARCHAR PRIMARY KEY,
    flow_name         VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,
    started_at        TIMESTAMPTZ NOT NULL,
    finished_at       TIMESTAMPTZ NOT NULL,
    status            VARCHAR NOT NULL,
    rows_in           BIGINT NOT NULL,
    rows_loaded       BIGINT NOT NULL,
    rows_quarantined  BIGINT NOT NULL,
    rows_skipped      BIGINT NOT NULL,
    facts_inserted    BIGINT NOT NULL,
    facts_updated     BIGINT NOT NULL,
    facts_unchanged   BIGINT NOT NULL,
    message           VARCHAR
);
COMMENT ON TABLE meta.runs IS 'One row per committed load run; grain: run_id. Failed runs roll back and leave no row.';
COMMENT ON COLUMN meta.runs.run_id IS 'Prefect flow-run id, or a generated UUID outside Prefect.';
COMMENT ON COLUMN meta.runs.rows_in IS 'Raw rows read from the landed payloads of this run.';
COMMENT ON COLUMN meta.runs.rows_loaded IS 'Raw rows that passed validation and reached core.';
COMMENT ON COLUMN meta.runs.rows_quarantined IS 'Raw rows sent to meta.quarantine; rows_in = rows_loaded + rows_quarantined.';
COMMENT ON COLUMN meta.runs.rows_skipped IS 'Cells not turned into facts because the publisher had not released them yet (e.g. future months shown as 0).';
COMMENT ON COLUMN meta.runs.facts_inserted IS 'Fact rows new to core.fact_trade.';
COMMENT ON COLUMN meta.runs.facts_updated IS 'Fact rows whose value changed (the old value moved to core.fact_trade_revision).';
COMMENT ON COLUMN meta.runs.facts_unchanged IS 'Fact rows re-delivered with identical values.';

-- meta.landed_files — grain: (file_hash, request): each payload landed untouched, per request that brought it.
CREATE TABLE meta.landed_files (
    file_hash       VARCHAR NOT NULL,
    request         VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,
    fetched_at      TIMESTAMPTZ NOT NULL,
    bytes           BIGINT NOT NULL,
    rows            BIGINT,
    landed_path     VARCHAR NOT NULL,
    first_run_id    VARCHAR NOT NULL,
    last_run_id     VARCHAR NOT NULL,
    last_loaded_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (file_hash, request)
);
COMMENT ON TABLE meta.landed_files IS 'Raw payloads landed untouched under their SHA-256; grain: (file_hash, request).';
COMMENT ON COLUMN meta.landed_files.file_hash IS 'SHA-256 of the payload bytes; the landed file is named after it.';
COMMENT ON COLUMN meta.landed_files.request IS 'What was asked for: the URL with secrets removed, or the ingested file''s name.';
COMMENT ON COLUMN meta.landed_files.rows IS 'Data rows in the payload (header excluded).';
COMMENT ON COLUMN meta.landed_files.landed_path IS 'Path of the payload relative to the landing directory.';
COMMENT ON COLUMN meta.landed_files.last_loaded_at IS 'When a run last loaded this payload for this request (a re-published older payload loads again).';

-- meta.quarantine — grain: one row per (run, file, row, field) that failed validation.
CREATE TABLE meta.quarantine (
    run_id          VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,
    file_hash       VARCHAR NOT NULL,
    file_name       VARCHAR NOT NULL,
    row_number      BIGINT,
    field           VARCHAR,
    value           VARCHAR,
    reason          VARCHAR NOT NULL,
    raw_record      VARCHAR,
    quarantined_at  TIMESTAMPTZ NOT NULL
);
COMMENT ON TABLE meta.quarantine IS 'Rows that failed validation, with the reason; grain: (run_id, file_hash, row_number, field).';
COMMENT ON COLUMN meta.quarantine.row_number IS 'Line number in the file (header = 1) or row index of the API payload (header = 0).';
COMMENT ON COLUMN meta.quarantine.raw_record IS 'The whole raw row as JSON, so nothing is lost and it can be replayed.';
