-- The marts a BI tool or analyst queries, stored as tables (issue 13): each load refreshes, inside its
-- own transaction and before its quality gate, the slices of these tables its facts touched, from the
-- views that hold each mart's logic (mart_tables.<mart>_logic, warehouse/marts/*.sql); the public
-- names (marts.<mart>) read these tables. warehouse/mart_tables.py declares each table's slice and
-- does the refresh; migrate fills them for an existing warehouse (and again whenever the marts' SQL,
-- seeds or migrations change). The columns are those of the logic views (tests/warehouse/test_mart_tables.py
-- checks they agree).
CREATE SCHEMA IF NOT EXISTS mart_tables;

CREATE TABLE mart_tables.definition (
    checksum VARCHAR NOT NULL
);
COMMENT ON TABLE mart_tables.definition IS 'SHA-256 of the marts'' SQL, the seeds and the migrations the stored marts were last fully refreshed from; migrate refreshes them all when it changes; one row.';
COMMENT ON COLUMN mart_tables.definition.checksum IS 'SHA-256 of warehouse/marts/*.sql, warehouse/seeds/*.csv and warehouse/migrations/*.sql.';

DROP VIEW IF EXISTS marts.trade_balance;
CREATE TABLE mart_tables.trade_balance (
    reporter_iso3 VARCHAR,
    partner_iso3 VARCHAR,
    year INTEGER,
    exports_usd DECIMAL(38,2),
    imports_usd DECIMAL(38,2),
    balance_usd DECIMAL(38,2),
    source VARCHAR,
    partner_name VARCHAR,
    partner_is_aggregate BOOLEAN,
    exports_basis VARCHAR,
    imports_basis VARCHAR,
    months_covered BIGINT,
    is_partial_year BOOLEAN,
    product_level INTEGER,
    year_basis VARCHAR,
    exports_product_level INTEGER,
    imports_product_level INTEGER
);
COMMENT ON TABLE mart_tables.trade_balance IS 'Rows of marts.trade_balance (logic: mart_tables.trade_balance_logic); grain: (source, reporter_iso3, partner_iso3, year); a load refreshes the (source, reporter_iso3, partner_iso3, year) its facts touched.';

DROP VIEW IF EXISTS marts.partner_rank;
CREATE TABLE mart_tables.partner_rank (
    reporter_iso3 VARCHAR,
    year INTEGER,
    partner_iso3 VARCHAR,
    total_trade_usd DECIMAL(38,2),
    rank BIGINT,
    source VARCHAR,
    partner_name VARCHAR,
    exports_usd DECIMAL(38,2),
    imports_usd DECIMAL(38,2),
    is_partial_year BOOLEAN,
    months_covered BIGINT
);
COMMENT ON TABLE mart_tables.partner_rank IS 'Rows of marts.partner_rank (logic: mart_tables.partner_rank_logic); grain: (source, reporter_iso3, year, partner_iso3); a load refreshes whole rankings, the (source, reporter_iso3, year) its facts touched.';

DROP VIEW IF EXISTS marts.trade_by_sector;
CREATE TABLE mart_tables.trade_by_sector (
    source VARCHAR,
    reporter_iso3 VARCHAR,
    partner_iso3 VARCHAR,
    flow_id VARCHAR,
    year INTEGER,
    section INTEGER,
    section_roman VARCHAR,
    section_title VARCHAR,
    chapter VARCHAR,
    value_usd DECIMAL(38,2),
    months_covered BIGINT,
    year_basis VARCHAR,
    hs_vintages VARCHAR,
    is_partial_year BOOLEAN,
    reporter_id VARCHAR,
    partner_id VARCHAR
);
COMMENT ON TABLE mart_tables.trade_by_sector IS 'Rows of marts.trade_by_sector (logic: mart_tables.trade_by_sector_logic); grain: (source, reporter_iso3, partner_iso3, flow_id, year, chapter); a load refreshes the (source, reporter_iso3, partner_iso3, year) its facts touched.';

DROP VIEW IF EXISTS marts.mirror_flows;
CREATE TABLE mart_tables.mirror_flows (
    exporter_id VARCHAR,
    importer_id VARCHAR,
    year INTEGER,
    product_level INTEGER,
    product_code VARCHAR,
    exporter_source VARCHAR,
    exporter_flow_id VARCHAR,
    exporter_value_basis VARCHAR,
    exporter_reported_usd DECIMAL(38,2),
    exporter_months BIGINT,
    importer_source VARCHAR,
    importer_flow_id VARCHAR,
    importer_value_basis VARCHAR,
    importer_reported_usd DECIMAL(38,2),
    importer_months BIGINT,
    difference_usd DECIMAL(38,2),
    ratio DOUBLE,
    exporter_iso3 VARCHAR,
    importer_iso3 VARCHAR,
    exporter_is_partial_year BOOLEAN,
    importer_is_partial_year BOOLEAN,
    exporter_year_basis VARCHAR,
    importer_year_basis VARCHAR
);
COMMENT ON TABLE mart_tables.mirror_flows IS 'Rows of marts.mirror_flows (logic: mart_tables.mirror_flows_logic); grain: (exporter_iso3, importer_iso3, year, product_level, product_code, exporter_source, importer_source); a load refreshes both directions of each (reporter, partner, year) its facts touched.';
