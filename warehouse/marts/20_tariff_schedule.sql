-- marts.tariff_schedule — grain: (importer_iso3, tariff_line, rate_type, program, valid_from).
-- Every rate of every schedule as dated history; the schedule in force on a date D is
--   SELECT * FROM marts.tariff_schedule WHERE valid_from <= D AND (valid_to IS NULL OR valid_to > D).
-- description is the line's own text (the full path is core.dim_tariff_line.description_path);
-- program is null for MFN, column 2 and additional rates.
CREATE OR REPLACE VIEW marts.tariff_schedule AS
SELECT
    r.importer_id AS importer_iso3,
    r.tariff_line,
    l.description,
    r.rate_type,
    r.program_code AS program,
    r.ad_valorem_pct,
    r.specific_amount,
    r.specific_unit,
    r.rate_text,
    r.valid_from,
    r.valid_to
FROM core.fact_tariff_rate AS r
LEFT JOIN core.dim_tariff_line AS l
    ON l.importer_id = r.importer_id
    AND l.source = r.source
    AND l.line_key = r.tariff_line
    AND l.valid_from <= r.valid_from
    AND (l.valid_to IS NULL OR l.valid_to > r.valid_from);
