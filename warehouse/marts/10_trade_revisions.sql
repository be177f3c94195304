-- Revisions: every value each fact has had, and the two questions analysts ask of them.
--
-- marts.trade_history — grain: fact grain + valid_from. Current values (core.fact_trade, valid from
-- loaded_at, valid_to null) and superseded ones (core.fact_trade_revision, valid from loaded_at until
-- superseded_at), each with the run that brought it (run_id) and the payload it came from (file_hash).
CREATE OR REPLACE VIEW marts.trade_history AS
SELECT
    source, reporter_id, partner_id, product_id, period_id, flow_id,
    value_usd, quantity, quantity_unit, value_status, run_id, file_hash,
    loaded_at AS valid_from,
    CAST(NULL AS TIMESTAMPTZ) AS valid_to,
    NULL AS superseded_by_run,
    true AS is_current
FROM core.fact_trade
UNION ALL
SELECT
    source, reporter_id, partner_id, product_id, period_id, flow_id,
    value_usd, quantity, quantity_unit, value_status, run_id, file_hash,
    loaded_at AS valid_from,
    superseded_at AS valid_to,
    superseded_by_run,
    false AS is_current
FROM core.fact_trade_revision;

-- marts.trade_as_of(as_of) — grain: the fact grain. What the warehouse said at ``as_of`` (a
-- TIMESTAMPTZ; a DATE means the start of that day in the session time zone): facts loaded by then,
-- with the value they had then. Example: SELECT * FROM marts.trade_as_of(TIMESTAMPTZ '2026-03-01 12:00+00').
CREATE OR REPLACE MACRO marts.trade_as_of(as_of) AS TABLE
SELECT * EXCLUDE (valid_to, superseded_by_run, is_current)
FROM marts.trade_history
WHERE valid_from <= CAST(as_of AS TIMESTAMPTZ)
  AND (valid_to IS NULL OR valid_to > CAST(as_of AS TIMESTAMPTZ));

-- marts.trade_first_published — grain: the fact grain. The first value the warehouse loaded for each
-- fact, beside the current one and how many times it changed since.
CREATE OR REPLACE VIEW marts.trade_first_published AS
SELECT
    source, reporter_id, partner_id, product_id, period_id, flow_id,
    arg_min_null(value_usd, valid_from) AS first_value_usd,
    arg_min_null(value_status, valid_from) AS first_value_status,
    min(valid_from) AS first_loaded_at,
    arg_min(run_id, valid_from) AS first_run_id,
    max(value_usd) FILTER (WHERE is_current) AS current_value_usd,
    count(*) - 1 AS revisions
FROM marts.trade_history
GROUP BY ALL;
