-- Korea's tariff in the Korea Customs Service's form (issue 15): the layer that produced a rate,
-- sub-items of annex schedules, the reviewed rate precedence and the analyst's product groups.
ALTER TABLE core.fact_tariff_rate ADD COLUMN rate_code VARCHAR;
ALTER TABLE core.fact_tariff_rate ADD COLUMN sub_item VARCHAR;
COMMENT ON COLUMN core.fact_tariff_rate.rate_code IS 'Rate layer (the importer''s own rate code, core.dim_rate_layer) that produced this rate, e.g. A (basic), C (WTO concession), FUS1 (KORUS); null for sources without layers.';
COMMENT ON COLUMN core.fact_tariff_rate.sub_item IS 'Sub-item of a line in an annex schedule (s1, s2 ... in file order) when rows share a code, each with its own description, base rate and category; null otherwise.';

-- core.dim_rate_layer — grain: (importer_id, rate_code): which layer wins over which (warehouse/seeds/kcs_rate_precedence.csv).
CREATE TABLE core.dim_rate_layer (
    importer_id      VARCHAR NOT NULL,
    rate_code        VARCHAR NOT NULL,
    layer_kind       VARCHAR NOT NULL,
    precedence_rank  INTEGER NOT NULL,
    rule             VARCHAR NOT NULL,
    program_code     VARCHAR,
    name             VARCHAR NOT NULL,
    citation         VARCHAR NOT NULL,
    PRIMARY KEY (importer_id, rate_code)
);
COMMENT ON TABLE core.dim_rate_layer IS 'Rate layers of an importer''s tariff and their precedence (reviewed seed kcs_rate_precedence.csv); grain: (importer_id, rate_code).';
COMMENT ON COLUMN core.dim_rate_layer.importer_id IS 'Country whose tariff has the layer (core.dim_country).';
COMMENT ON COLUMN core.dim_rate_layer.rate_code IS 'Rate code as the customs service prints it (A, C, W1, L, P1, FUS1 ...).';
COMMENT ON COLUMN core.dim_rate_layer.layer_kind IS 'basic, provisional, concession, adjustment, quota, trade_remedy, fta.';
COMMENT ON COLUMN core.dim_rate_layer.precedence_rank IS 'Order of resolution: layers are applied from the highest rank to the lowest; a lower rank is decided later and so wins when its rule lets it.';
COMMENT ON COLUMN core.dim_rate_layer.rule IS 'base (the starting rate), overrides (replaces the rate so far), overrides_basic (replaces a basic or provisional rate, otherwise only when lower), lowest_of (applies only when lower than the rate so far).';
COMMENT ON COLUMN core.dim_rate_layer.program_code IS 'For fta layers: the program the preferential rate is written under; null for the layers of the MFN applied rate.';
COMMENT ON COLUMN core.dim_rate_layer.name IS 'What the layer is, in English.';
COMMENT ON COLUMN core.dim_rate_layer.citation IS 'Where the precedence comes from.';

-- core.dim_product_group — grain: (product_group, hs_from): one HS range of an analyst's product group.
CREATE TABLE core.dim_product_group (
    product_group  VARCHAR NOT NULL,
    hs_from        VARCHAR NOT NULL,
    hs_to          VARCHAR NOT NULL,
    description    VARCHAR,
    PRIMARY KEY (product_group, hs_from)
);
COMMENT ON TABLE core.dim_product_group IS 'Product groups an analyst can edit (warehouse/seeds/product_groups.csv): each row one HS range; grain: (product_group, hs_from).';
COMMENT ON COLUMN core.dim_product_group.product_group IS 'Name of the group (textiles, apparel ...).';
COMMENT ON COLUMN core.dim_product_group.hs_from IS 'First HS code of the range (2, 4 or 6 digits): codes whose first digits lie in [hs_from, hs_to] belong to the group.';
COMMENT ON COLUMN core.dim_product_group.hs_to IS 'Last HS code of the range, as many digits as hs_from.';
COMMENT ON COLUMN core.dim_product_group.description IS 'What the range holds.';
