-- core.dim_country — grain: one row per country, territory or aggregate (country_id).
CREATE TABLE core.dim_country (
    country_id      VARCHAR PRIMARY KEY,
    iso3            VARCHAR,
    iso2            VARCHAR,
    un_m49          VARCHAR,
    census_code     VARCHAR,
    comtrade_code   VARCHAR,
    name            VARCHAR NOT NULL,
    is_aggregate    BOOLEAN NOT NULL,
    aggregate_kind  VARCHAR
);
COMMENT ON TABLE core.dim_country IS 'Countries, territories and aggregates (World, EU, OPEC, regions, product groups); grain: country_id.';
COMMENT ON COLUMN core.dim_country.country_id IS 'ISO 3166-1 alpha-3 for countries (ISO 3166-3 for former ones); an upper-case mnemonic such as WORLD or EU for aggregates.';
COMMENT ON COLUMN core.dim_country.un_m49 IS 'UN M49 numeric code, three digits.';
COMMENT ON COLUMN core.dim_country.census_code IS 'US Census Bureau Schedule C code, four digits (5800 = Korea, South).';
COMMENT ON COLUMN core.dim_country.comtrade_code IS 'UN Comtrade reporter/partner code (842 = USA, not ISO 840).';
COMMENT ON COLUMN core.dim_country.is_aggregate IS 'True for World, unions, regions, agreements and groups: never rank or sum these with countries.';

-- core.dim_country_code — grain: one row per (scheme, code); every source code that resolves to a country_id.
CREATE TABLE core.dim_country_code (
    scheme      VARCHAR NOT NULL,
    code        VARCHAR NOT NULL,
    country_id  VARCHAR NOT NULL,
    source_name VARCHAR,
    note        VARCHAR,
    PRIMARY KEY (scheme, code)
);
COMMENT ON TABLE core.dim_country_code IS 'Crosswalk from each source''s country codes (census, comtrade, iso2, iso3, m49) to country_id; grain: (scheme, code).';

-- core.dim_product — grain: one row per product code in one classification vintage.
CREATE TABLE core.dim_product (
    product_id      VARCHAR PRIMARY KEY,
    classification  VARCHAR NOT NULL,
    hs_vintage      VARCHAR,
    code            VARCHAR NOT NULL,
    level           INTEGER NOT NULL,
    parent_id       VARCHAR,
    description     VARCHAR
);
COMMENT ON TABLE core.dim_product IS 'Products: TOTAL (all goods) and HS codes per vintage; grain: product_id.';
COMMENT ON COLUMN core.dim_product.product_id IS 'TOTAL, or <vintage>:<digits> such as HS2022:8703.';
COMMENT ON COLUMN core.dim_product.hs_vintage IS 'HS edition the code belongs to: HS2007, HS2012, HS2017, HS2022; null for TOTAL.';
COMMENT ON COLUMN core.dim_product.level IS 'Number of digits: 2 chapter, 4 heading, 6 subheading, 8/10 national lines; 0 for TOTAL.';

-- core.dim_period — grain: one row per calendar month or year.
CREATE TABLE core.dim_period (
    period_id    VARCHAR PRIMARY KEY,
    period_grain VARCHAR NOT NULL,
    year         INTEGER NOT NULL,
    month        INTEGER,
    start_date   DATE NOT NULL,
    end_date     DATE NOT NULL
);
COMMENT ON TABLE core.dim_period IS 'Calendar periods; grain: period_id (YYYY for a year, YYYY-MM for a month).';
COMMENT ON COLUMN core.dim_period.period_grain IS 'year or month.';

-- core.dim_flow — grain: one row per trade direction and valuation basis.
CREATE TABLE core.dim_flow (
    flow_id      VARCHAR PRIMARY KEY,
    direction    VARCHAR NOT NULL,
    value_basis  VARCHAR NOT NULL,
    headline_priority INTEGER NOT NULL,
    description  VARCHAR NOT NULL
);
COMMENT ON TABLE core.dim_flow IS 'Trade direction with its valuation basis; grain: flow_id.';
COMMENT ON COLUMN core.dim_flow.direction IS 'export or import, from the reporter''s point of view.';
COMMENT ON COLUMN core.dim_flow.headline_priority IS 'Which measure a balance uses when a source publishes several for one direction: lowest first.';
COMMENT ON COLUMN core.dim_flow.value_basis IS 'FAS (free alongside ship), FOB, CIF, or customs (US customs value: excludes freight and insurance).';

INSERT INTO core.dim_flow (flow_id, direction, value_basis, headline_priority, description) VALUES
    ('X_FAS',         'export', 'FAS',     1, 'Total exports (domestic and foreign), free alongside ship: the Census export measure'),
    ('X_FOB',         'export', 'FOB',     2, 'Exports valued free on board: the Comtrade export measure'),
    ('M_GEN_CUSTOMS', 'import', 'customs', 1, 'General imports at customs value: the Census headline import measure'),
    ('M_CIF',         'import', 'CIF',     2, 'Imports valued cost, insurance and freight: the Comtrade import measure'),
    ('M_FOB',         'import', 'FOB',     3, 'Imports valued free on board'),
    ('M_CON_CUSTOMS', 'import', 'customs', 4, 'Imports for consumption at customs value'),
    ('M_GEN_CIF',     'import', 'CIF',     5, 'General imports including cost, insurance and freight (Census CIF value)');
