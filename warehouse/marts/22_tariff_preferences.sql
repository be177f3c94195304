-- marts.tariff_preference_margin — grain: (importer_iso3, tariff_line, agreement_id, program, valid_from).
-- Per line, the MFN rate against an agreement's preferential rate over time: each row is a period
-- in which both rates are constant (their validity intervals intersected). margin_pct_points =
-- MFN minus preferential ad valorem rate, null when either rate is not ad valorem (or free).
CREATE OR REPLACE VIEW marts.tariff_preference_margin AS
WITH pref AS (
    SELECT * FROM core.fact_tariff_rate WHERE rate_type = 'preferential' AND agreement_id IS NOT NULL
),

mfn AS (
    SELECT * FROM core.fact_tariff_rate WHERE rate_type = 'mfn'
),

pairs AS (
    SELECT
        p.importer_id, p.tariff_line, p.agreement_id, p.program_code,
        m.rate_text AS mfn_rate_text, p.rate_text AS pref_rate_text,
        m.rate_kind AS mfn_rate_kind, p.rate_kind AS pref_rate_kind,
        m.ad_valorem_pct AS mfn_ad_valorem_pct, p.ad_valorem_pct AS pref_ad_valorem_pct,
        p.staging_category,
        greatest(m.valid_from, p.valid_from) AS valid_from,
        CASE
            WHEN m.valid_to IS NULL THEN p.valid_to
            WHEN p.valid_to IS NULL THEN m.valid_to
            ELSE least(m.valid_to, p.valid_to)
        END AS valid_to
    FROM pref AS p
    JOIN mfn AS m
        ON m.importer_id = p.importer_id AND m.tariff_line = p.tariff_line
        AND m.valid_from < coalesce(p.valid_to, DATE '9999-12-31')
        AND p.valid_from < coalesce(m.valid_to, DATE '9999-12-31')
)

SELECT
    importer_id AS importer_iso3,
    tariff_line,
    agreement_id,
    program_code AS program,
    mfn_ad_valorem_pct,
    pref_ad_valorem_pct,
    CASE
        WHEN mfn_rate_kind IN ('free', 'ad_valorem') AND pref_rate_kind IN ('free', 'ad_valorem')
            THEN mfn_ad_valorem_pct - pref_ad_valorem_pct
    END AS margin_pct_points,
    mfn_rate_text,
    pref_rate_text,
    staging_category,
    valid_from,
    valid_to
FROM pairs;

-- marts.tariff_realised_duty — grain: (source, importer_iso3, partner_iso3, product_id, year).
-- Realised duty rate = calculated duties / dutiable value, and / customs value of imports for
-- consumption, from trade sources that publish duties (Census API CAL_DUT_MO, DataWeb "Calculated
-- Duties"). Yearly values, months_covered, is_partial_year and year_basis as marts.int_trade_yearly
-- (the published annual figure where there is one, else the months summed).
CREATE OR REPLACE VIEW marts.tariff_realised_duty AS
WITH pivoted AS (
    SELECT
        source, reporter_iso3, partner_iso3, product_id, year,
        max(value_usd) FILTER (WHERE flow_id = 'M_CAL_DUTY') AS calculated_duty_usd,
        max(value_usd) FILTER (WHERE flow_id = 'M_DUTIABLE') AS dutiable_value_usd,
        max(value_usd) FILTER (WHERE flow_id = 'M_CON_CUSTOMS') AS customs_value_usd,
        max(months_covered) AS months_covered,
        bool_or(is_partial_year) AS is_partial_year,
        CASE WHEN min(year_basis) = max(year_basis) THEN min(year_basis) ELSE 'mixed' END AS year_basis
    FROM marts.int_trade_yearly
    WHERE flow_id IN ('M_CAL_DUTY', 'M_DUTIABLE', 'M_CON_CUSTOMS')
    GROUP BY ALL
)

SELECT
    reporter_iso3 AS importer_iso3,
    partner_iso3,
    product_id,
    year,
    calculated_duty_usd,
    dutiable_value_usd,
    customs_value_usd,
    100 * calculated_duty_usd / nullif(dutiable_value_usd, 0) AS duty_on_dutiable_pct,
    100 * calculated_duty_usd / nullif(customs_value_usd, 0) AS duty_on_customs_value_pct,
    months_covered,
    source,
    is_partial_year,
    year_basis
FROM pivoted
WHERE calculated_duty_usd IS NOT NULL;
