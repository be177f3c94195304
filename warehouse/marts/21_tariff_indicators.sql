-- marts.tariff_indicators — grain: (importer_iso3, year, rate_type, program, aggregation, hs_section, hs_chapter).
-- Tariff indicators by the WTO/WITS definitions, for the rates in force on 31 December of each year:
--   * lines: national tariff lines carrying an MFN rate, HS chapters 01-97 (98-99 are national provisions);
--   * preferential rows use the program's rate where the line has one, the MFN rate elsewhere;
--   * simple average: lines averaged within each HS6 subheading first, then the HS6 averages averaged;
--   * trade-weighted average: HS6 averages weighted by the importer's HS6 imports of that year
--     (core.fact_trade: from the world for MFN / column 2 / unilateral programs, from the agreement
--     partner for agreement programs; one series per HS6: lowest headline_priority flow, yearly
--     values as marts.int_trade_yearly: annual figure where published, else the months summed);
--   * specific and compound duties enter through an ad valorem equivalent (AVE): ad valorem part +
--     100 x specific amount / unit value, the unit value being world imports' value / quantity for
--     the same HS6 and year in the same unit; lines without one are counted in lines_without_ave and
--     left out of the averages and of lines_above_15_pct (never treated as zero);
--   * aggregation = total, section or chapter (hs_section / hs_chapter null above their level), or
--     group: an analyst's product group (core.dim_product_group, warehouse/seeds/product_groups.csv)
--     in product_group, with chapters_covered listing the chapters that have lines, so partial
--     coverage of a group shows;
--   * source: the dataset behind each figure (for preferential rows the program's, mfn_source the
--     MFN rates it falls back on: the same dataset's where it has MFN rates that year, else any).
CREATE OR REPLACE VIEW marts.tariff_indicators AS
WITH years AS (
    SELECT DISTINCT importer_id, source,
           unnest(range(year(valid_from), coalesce(year(valid_to - INTERVAL 1 DAY), year(current_date)) + 1)) AS year
    FROM core.fact_tariff_rate
),

in_force AS (
    SELECT y.year, r.*
    FROM years AS y
    JOIN core.fact_tariff_rate AS r
        ON r.importer_id = y.importer_id AND r.source = y.source
        AND r.valid_from <= make_date(y.year, 12, 31)
        AND (r.valid_to IS NULL OR r.valid_to > make_date(y.year, 12, 31))
    WHERE left(r.tariff_line, 2) BETWEEN '01' AND '97'
),

mfn AS (
    SELECT * FROM in_force WHERE rate_type = 'mfn'
),

programs AS (
    SELECT DISTINCT importer_id, year, source, program_code, agreement_id
    FROM in_force
    WHERE rate_type = 'preferential' AND program_code <> 'ALL'
),

measures AS (
    SELECT year, importer_id, source, source AS mfn_source, tariff_line, sub_item, rate_type, NULL AS program,
           NULL AS agreement_id, rate_kind, ad_valorem_pct, specific_amount, specific_currency, specific_unit
    FROM in_force
    WHERE rate_type IN ('mfn', 'column2')
    UNION ALL
    SELECT m.year, m.importer_id, p.source, m.source, m.tariff_line, m.sub_item, 'preferential', p.program_code, p.agreement_id,
           coalesce(pr.rate_kind, m.rate_kind),
           CASE WHEN pr.rate_kind IS NULL THEN m.ad_valorem_pct ELSE pr.ad_valorem_pct END,
           CASE WHEN pr.rate_kind IS NULL THEN m.specific_amount ELSE pr.specific_amount END,
           CASE WHEN pr.rate_kind IS NULL THEN m.specific_currency ELSE pr.specific_currency END,
           CASE WHEN pr.rate_kind IS NULL THEN m.specific_unit ELSE pr.specific_unit END
    FROM mfn AS m
    JOIN programs AS p ON p.importer_id = m.importer_id AND p.year = m.year
        AND (m.source = p.source OR NOT EXISTS (
            SELECT 1 FROM mfn AS own WHERE own.importer_id = p.importer_id AND own.year = p.year AND own.source = p.source))
    LEFT JOIN in_force AS pr
        ON pr.importer_id = m.importer_id AND pr.year = m.year AND pr.tariff_line = m.tariff_line
        AND pr.source = p.source AND pr.sub_item IS NOT DISTINCT FROM m.sub_item
        AND pr.rate_type = 'preferential' AND pr.program_code = p.program_code
),

trade_series AS (
    -- the importer's yearly imports of goods per HS6 (marts.int_trade_yearly: annual figure where
    -- published, else the months summed): values of goods only, not duties, charges or dutiable value
    SELECT source, reporter_iso3 AS reporter_id, partner_iso3 AS partner_id, flow_id, headline_priority,
           product_code AS hs6, year, value_usd, quantity, quantity_unit AS unit, quantity_units AS units
    FROM marts.int_trade_yearly
    WHERE direction = 'import' AND is_trade_value AND classification = 'HS' AND product_level = 6
      AND value_usd IS NOT NULL
),

trade AS (
    SELECT * EXCLUDE (pick)
    FROM (
        SELECT *, row_number() OVER (
            PARTITION BY reporter_id, partner_id, hs6, year ORDER BY headline_priority, source, flow_id
        ) AS pick
        FROM trade_series
    )
    WHERE pick = 1
),

agreement_partners AS (
    SELECT agreement_id, trim(unnest(string_split(parties, ','))) AS party FROM core.dim_agreement
),

lines AS (
    SELECT
        m.*,
        left(m.tariff_line, 6) AS hs6,
        left(m.tariff_line, 2) AS hs_chapter,
        m.rate_kind = 'free' OR (m.rate_kind = 'ad_valorem' AND m.ad_valorem_pct = 0) AS is_free,
        m.rate_kind NOT IN ('free', 'ad_valorem') AS is_non_ad_valorem,
        CASE
            WHEN m.rate_kind = 'free' THEN 0.0
            WHEN m.rate_kind = 'ad_valorem' THEN m.ad_valorem_pct
            WHEN m.rate_kind IN ('specific', 'compound') AND m.specific_currency = 'USD'
                 AND uv.unit = m.specific_unit AND uv.units = 1 AND uv.quantity > 0 AND uv.value_usd > 0
                THEN coalesce(m.ad_valorem_pct, 0) + 100 * m.specific_amount / (uv.value_usd / uv.quantity)
        END AS rate_pct
    FROM measures AS m
    LEFT JOIN trade AS uv
        ON uv.reporter_id = m.importer_id AND uv.partner_id = 'WORLD'
        AND uv.hs6 = left(m.tariff_line, 6) AND uv.year = m.year
),

hs6 AS (
    SELECT
        l.importer_id, l.year, l.source, l.mfn_source, l.rate_type, l.program, l.agreement_id, l.hs_chapter, l.hs6,
        avg(l.rate_pct) AS hs6_rate_pct,
        bool_and(l.is_free) AS all_free,
        count(*) AS lines,
        count(*) FILTER (WHERE l.is_free) AS free_lines,
        count(*) FILTER (WHERE l.rate_pct > 15) AS lines_above_15,
        count(l.rate_pct) AS lines_with_rate,
        count(*) FILTER (WHERE l.is_non_ad_valorem) AS non_ad_valorem_lines,
        count(*) FILTER (WHERE l.is_non_ad_valorem AND l.rate_pct IS NOT NULL) AS lines_with_ave
    FROM lines AS l
    GROUP BY ALL
),

weighted AS (
    SELECT h.*, coalesce(ap.party, 'WORLD') AS weights_partner, t.value_usd AS import_value_usd
    FROM hs6 AS h
    LEFT JOIN agreement_partners AS ap ON ap.agreement_id = h.agreement_id AND ap.party <> h.importer_id
    LEFT JOIN trade AS t
        ON t.reporter_id = h.importer_id AND t.partner_id = coalesce(ap.party, 'WORLD')
        AND t.hs6 = h.hs6 AND t.year = h.year
),

with_section AS (
    SELECT w.*, s.section AS hs_section
    FROM weighted AS w
    LEFT JOIN core.dim_hs_section AS s ON CAST(w.hs_chapter AS INTEGER) BETWEEN s.first_chapter AND s.last_chapter
),

units AS (
    SELECT *, NULL AS product_group, false AS is_group FROM with_section
    UNION ALL
    SELECT w.* REPLACE (NULL AS hs_section), g.product_group, true
    FROM with_section AS w
    JOIN core.dim_product_group AS g
        ON left(w.hs6, length(g.hs_from)) BETWEEN g.hs_from AND g.hs_to
)

SELECT
    importer_id AS importer_iso3,
    year,
    rate_type,
    program,
    source,
    mfn_source,
    any_value(agreement_id) AS agreement_id,
    CASE WHEN grouping(product_group) = 0 THEN 'group' WHEN grouping(hs_section) = 1 THEN 'total'
         WHEN grouping(hs_chapter) = 1 THEN 'section' ELSE 'chapter' END AS aggregation,
    hs_section,
    hs_chapter,
    product_group,
    string_agg(DISTINCT hs_chapter, ',' ORDER BY hs_chapter) FILTER (WHERE is_group) AS chapters_covered,
    sum(lines) AS tariff_lines,
    count(*) AS hs6_subheadings,
    avg(hs6_rate_pct) AS simple_avg_pct,
    sum(hs6_rate_pct * import_value_usd) FILTER (WHERE hs6_rate_pct IS NOT NULL)
        / nullif(sum(import_value_usd) FILTER (WHERE hs6_rate_pct IS NOT NULL), 0) AS trade_weighted_avg_pct,
    100.0 * sum(free_lines) / sum(lines) AS duty_free_lines_pct,
    100.0 * sum(import_value_usd) FILTER (WHERE all_free) / nullif(sum(import_value_usd), 0) AS duty_free_imports_pct,
    100.0 * sum(lines_above_15) / nullif(sum(lines_with_rate), 0) AS lines_above_15_pct,
    100.0 * sum(non_ad_valorem_lines) / sum(lines) AS non_ad_valorem_lines_pct,
    sum(non_ad_valorem_lines) AS non_ad_valorem_lines,
    sum(lines_with_ave) AS lines_with_ave,
    sum(lines) - sum(lines_with_rate) AS lines_without_ave,
    sum(import_value_usd) AS import_value_usd,
    any_value(weights_partner) AS weights_partner,
    CASE WHEN sum(non_ad_valorem_lines) = 0 THEN 'ad valorem rates only'
         ELSE 'AVE = ad valorem part + 100 x specific amount / unit value (world imports value / quantity, '
              || 'same HS6, year and unit, core.fact_trade); lines without a unit value left out'
    END AS ave_method
FROM units
GROUP BY GROUPING SETS (
    (importer_id, year, rate_type, program, source, mfn_source, is_group),
    (importer_id, year, rate_type, program, source, mfn_source, is_group, hs_section),
    (importer_id, year, rate_type, program, source, mfn_source, is_group, hs_section, hs_chapter),
    (importer_id, year, rate_type, program, source, mfn_source, is_group, product_group)
)
HAVING (NOT is_group AND grouping(product_group) = 1) OR (is_group AND grouping(product_group) = 0);
