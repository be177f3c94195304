-- Descriptions of the headline marts' columns, for `entrepot docs` and any SQL client that shows
-- comments. Runs after every mart file (views lose their comments when they are recreated).
COMMENT ON VIEW marts.trade_yearly IS 'Yearly value of each published measure, never adding two HS levels together: the publisher''s annual figure where it gives one, else its months summed; grain: (source, reporter_id, partner_id, flow_id, year).';
COMMENT ON COLUMN marts.trade_yearly.source IS 'Dataset the value comes from (core.fact_trade.source).';
COMMENT ON COLUMN marts.trade_yearly.reporter_id IS 'Country whose statistics these are (core.dim_country).';
COMMENT ON COLUMN marts.trade_yearly.partner_id IS 'Trading partner (core.dim_country); may be an aggregate such as WORLD.';
COMMENT ON COLUMN marts.trade_yearly.flow_id IS 'Direction and valuation basis (core.dim_flow).';
COMMENT ON COLUMN marts.trade_yearly.year IS 'Calendar year.';
COMMENT ON COLUMN marts.trade_yearly.value_usd IS 'Value in US dollars for the year (the months covered only, when the year is partial).';
COMMENT ON COLUMN marts.trade_yearly.months_covered IS 'Months of the year behind value_usd; 12 for a published annual figure.';
COMMENT ON COLUMN marts.trade_yearly.is_partial_year IS 'True when value_usd covers less than the whole year (a year to date).';
COMMENT ON COLUMN marts.trade_yearly.year_basis IS 'published annual (the publisher''s own annual figure) or sum of months.';
COMMENT ON COLUMN marts.trade_yearly.product_level IS 'What was summed: 0 the publisher''s total of all goods, 2 HS chapters, 4-10 detailed codes (a total only if the extract covered every code).';

COMMENT ON VIEW marts.trade_balance IS 'Exports, imports and the balance from the reporter''s side by year, each source on its own rows, using the headline measure of each direction; grain: (source, reporter_iso3, partner_iso3, year).';
COMMENT ON COLUMN marts.trade_balance.reporter_iso3 IS 'Country whose statistics these are (core.dim_country.country_id).';
COMMENT ON COLUMN marts.trade_balance.partner_iso3 IS 'Trading partner (core.dim_country.country_id); may be an aggregate such as WORLD.';
COMMENT ON COLUMN marts.trade_balance.year IS 'Calendar year.';
COMMENT ON COLUMN marts.trade_balance.exports_usd IS 'Reporter''s exports to the partner in US dollars, valued on exports_basis.';
COMMENT ON COLUMN marts.trade_balance.imports_usd IS 'Reporter''s imports from the partner in US dollars, valued on imports_basis.';
COMMENT ON COLUMN marts.trade_balance.balance_usd IS 'exports_usd - imports_usd in US dollars: negative is a deficit of the reporter.';
COMMENT ON COLUMN marts.trade_balance.source IS 'Dataset the values come from (core.fact_trade.source).';
COMMENT ON COLUMN marts.trade_balance.partner_name IS 'Partner''s name (core.dim_country.name).';
COMMENT ON COLUMN marts.trade_balance.partner_is_aggregate IS 'True when the partner is World, a union, a region or another group.';
COMMENT ON COLUMN marts.trade_balance.exports_basis IS 'Valuation of exports_usd: FAS or FOB (core.dim_flow.value_basis).';
COMMENT ON COLUMN marts.trade_balance.imports_basis IS 'Valuation of imports_usd: customs, CIF or FOB (core.dim_flow.value_basis).';
COMMENT ON COLUMN marts.trade_balance.months_covered IS 'Months of the year behind the values; 12 for a full or published annual year.';
COMMENT ON COLUMN marts.trade_balance.is_partial_year IS 'True when the values cover less than the whole year (a year to date).';
COMMENT ON COLUMN marts.trade_balance.product_level IS 'What was summed: 0 the publisher''s total of all goods, 2 HS chapters, 4-10 detailed codes (a total only if the extract covered every code).';

COMMENT ON VIEW marts.partner_rank IS 'Partners ranked by total trade (exports + imports) within each source, reporter and year; aggregates are never ranked, and only series of all goods (publisher total or HS chapters) in both directions are: a detailed extract (e.g. seafood only) or a one-direction file never is; partial years are flagged (is_partial_year, months_covered); grain: (source, reporter_iso3, year, partner_iso3).';
COMMENT ON COLUMN marts.partner_rank.reporter_iso3 IS 'Country whose statistics these are (core.dim_country.country_id).';
COMMENT ON COLUMN marts.partner_rank.year IS 'Calendar year.';
COMMENT ON COLUMN marts.partner_rank.partner_iso3 IS 'Partner country (core.dim_country.country_id); never an aggregate.';
COMMENT ON COLUMN marts.partner_rank.total_trade_usd IS 'exports_usd + imports_usd in US dollars (a missing direction counts as 0).';
COMMENT ON COLUMN marts.partner_rank.rank IS '1 for the largest partner; ties share a rank.';
COMMENT ON COLUMN marts.partner_rank.source IS 'Dataset the values come from (core.fact_trade.source).';
COMMENT ON COLUMN marts.partner_rank.partner_name IS 'Partner''s name (core.dim_country.name).';
COMMENT ON COLUMN marts.partner_rank.exports_usd IS 'Reporter''s exports to the partner in US dollars.';
COMMENT ON COLUMN marts.partner_rank.imports_usd IS 'Reporter''s imports from the partner in US dollars.';
COMMENT ON COLUMN marts.partner_rank.is_partial_year IS 'True when the year is ranked on the months it covers only (a year to date): compare with care.';
COMMENT ON COLUMN marts.partner_rank.months_covered IS 'Months of the year behind the values; 12 for a full or published annual year.';
COMMENT ON COLUMN marts.trade_yearly.reporter_iso3 IS 'Same as reporter_id, under the name every trade mart uses (core.dim_country.country_id).';
COMMENT ON COLUMN marts.trade_yearly.partner_iso3 IS 'Same as partner_id, under the name every trade mart uses (core.dim_country.country_id).';
COMMENT ON COLUMN marts.trade_balance.year_basis IS 'published annual, sum of months, or mixed (the two directions differ); as marts.int_trade_yearly.';
COMMENT ON COLUMN marts.trade_balance.exports_product_level IS 'product_level of exports_usd alone (0 total, 2 HS chapters, more a detailed extract).';
COMMENT ON COLUMN marts.trade_balance.imports_product_level IS 'product_level of imports_usd alone (0 total, 2 HS chapters, more a detailed extract).';

COMMENT ON COLUMN marts.int_trade_yearly.value_usd IS 'The publisher''s annual figure where it publishes one with a value, else its months summed, in US dollars.';
COMMENT ON COLUMN marts.int_trade_yearly.months_covered IS 'Months of the year behind value_usd: 12 for a published annual figure, the months loaded for a year to date (null if none) or a sum of months.';
COMMENT ON COLUMN marts.int_trade_yearly.is_partial_year IS 'True when value_usd covers less than the whole year: a published year to date, or fewer than 12 months summed.';
COMMENT ON COLUMN marts.int_trade_yearly.year_basis IS 'published annual (the publisher''s own annual figure) or sum of months.';
COMMENT ON COLUMN marts.int_trade_yearly.is_headline IS 'True for the measure a direction is reported in: lowest core.dim_flow.headline_priority among trade values of the source, pair, product and year.';
COMMENT ON COLUMN marts.int_trade_series_yearly.is_headline IS 'True for the measure a direction is reported in: lowest core.dim_flow.headline_priority among trade values of the source, pair and year.';

COMMENT ON COLUMN marts.trade_by_sector.reporter_iso3 IS 'Country whose statistics these are (core.dim_country.country_id).';
COMMENT ON COLUMN marts.trade_by_sector.partner_iso3 IS 'Trading partner (core.dim_country.country_id); may be an aggregate such as WORLD.';
COMMENT ON COLUMN marts.trade_by_sector.reporter_id IS 'Former name of reporter_iso3, kept for scripts written against it.';
COMMENT ON COLUMN marts.trade_by_sector.partner_id IS 'Former name of partner_iso3, kept for scripts written against it.';
COMMENT ON COLUMN marts.trade_by_sector.months_covered IS 'Months of the year behind value_usd (as marts.int_trade_yearly); 12 for a full published annual figure.';
COMMENT ON COLUMN marts.trade_by_sector.is_partial_year IS 'True when value_usd covers less than the whole year (a year to date).';
COMMENT ON COLUMN marts.trade_by_sector.year_basis IS 'published annual, sum of months, or mixed; as marts.int_trade_yearly.';

COMMENT ON COLUMN marts.tariff_indicators.tariff_lines IS 'National tariff lines carrying an MFN rate in force on 31 December of the year (HS chapters 01-97).';
COMMENT ON COLUMN marts.tariff_indicators.simple_avg_pct IS 'Simple average rate: lines averaged within each HS6 subheading first, then the HS6 averages averaged; specific and compound rates through their AVE, lines without one left out.';
COMMENT ON COLUMN marts.tariff_indicators.trade_weighted_avg_pct IS 'HS6 average rates weighted by the importer''s HS6 imports of the year (from the world, or from the agreement partner for agreement programs), over HS6 with a rate.';
COMMENT ON COLUMN marts.tariff_indicators.duty_free_lines_pct IS 'Duty-free share of lines: duty-free lines over all lines with a rate, specific ones included (100 x free lines / tariff_lines).';
COMMENT ON COLUMN marts.tariff_indicators.duty_free_imports_pct IS 'Share of import value in HS6 subheadings whose lines are all duty free (100 x value / all import value).';
COMMENT ON COLUMN marts.tariff_indicators.lines_above_15_pct IS 'Lines with a rate above 15 % (tariff peaks) over lines with an ad valorem rate or AVE.';
COMMENT ON COLUMN marts.tariff_indicators.non_ad_valorem_lines_pct IS 'Lines with a specific, compound or other non ad valorem rate over all lines.';
COMMENT ON COLUMN marts.tariff_indicators.import_value_usd IS 'Import value weighting the averages, in US dollars (marts.int_trade_yearly, headline measure per HS6).';

COMMENT ON COLUMN marts.tariff_realised_duty.months_covered IS 'Months of the year behind the values (as marts.int_trade_yearly): 12 for a published annual figure.';
COMMENT ON COLUMN marts.tariff_realised_duty.is_partial_year IS 'True when the values cover less than the whole year.';
COMMENT ON COLUMN marts.tariff_realised_duty.year_basis IS 'published annual, sum of months, or mixed; as marts.int_trade_yearly.';

COMMENT ON COLUMN marts.mirror_flows.exporter_iso3 IS 'Exporting country (core.dim_country.country_id); exporter_id is its former name.';
COMMENT ON COLUMN marts.mirror_flows.importer_iso3 IS 'Importing country (core.dim_country.country_id); importer_id is its former name.';
