-- marts.fta_staging_rules — grain: (agreement_id, importer_id, category).
-- Per staging category the reviewed rule (core.dim_staging_category, warehouse/seeds/
-- korus_staging_categories.csv: the one rate paths use) beside the general-notes text loaded with
-- `entrepot ingest staging-notes` (core.fta_staging_note, never used for rates), and whether they
-- agree: comparison = agree (the note's years equal the reviewed stages), years differ, note without
-- years (the text states none), reviewed rule without stages (the note states years the reviewed rule
-- lacks), no note loaded, or no reviewed rule; disagrees is true for years differ, reviewed rule
-- without stages and no reviewed rule.
CREATE OR REPLACE VIEW marts.fta_staging_rules AS
WITH joined AS (
    SELECT
        coalesce(r.agreement_id, n.agreement_id) AS agreement_id,
        coalesce(r.importer_id, n.importer_id) AS importer_id,
        coalesce(r.category, n.category) AS category,
        r.category IS NOT NULL AS has_rule,
        n.category IS NOT NULL AS has_note,
        r.rule_kind, r.stages, r.duty_free_year, r.floor_pct, r.usable, r.status AS rule_status,
        r.rule_text, r.citation,
        n.years AS note_years, n.description AS note_text, n.duty_free_rule AS note_duty_free_rule,
        n.status AS note_status, n.source_url AS note_source_url, n.source_note AS note_source_note
    FROM core.dim_staging_category AS r
    FULL OUTER JOIN core.fta_staging_note AS n
        ON n.agreement_id = r.agreement_id AND n.importer_id = r.importer_id AND n.category = r.category
)

SELECT
    agreement_id, importer_id, category,
    rule_kind, stages, duty_free_year, floor_pct, usable, rule_status, rule_text, citation,
    note_years, note_text, note_duty_free_rule, note_status, note_source_url, note_source_note,
    CASE
        WHEN NOT has_rule THEN 'no reviewed rule'
        WHEN NOT has_note THEN 'no note loaded'
        WHEN note_years IS NULL THEN 'note without years'
        WHEN stages IS NULL THEN 'reviewed rule without stages'
        WHEN note_years = stages THEN 'agree'
        ELSE 'years differ'
    END AS comparison,
    NOT has_rule OR (has_note AND note_years IS NOT NULL AND note_years IS DISTINCT FROM stages) AS disagrees
FROM joined;
