-- core.hs_concordance — grain: (from_vintage, from_code, to_vintage, to_code): how a code of one HS
-- vintage splits into codes of another. The weights of one (from_vintage, from_code, to_vintage) sum
-- to 1, so a value converted through them keeps its total.
CREATE TABLE core.hs_concordance (
    from_vintage  VARCHAR NOT NULL,
    from_code     VARCHAR NOT NULL,
    to_vintage    VARCHAR NOT NULL,
    to_code       VARCHAR NOT NULL,
    level         INTEGER NOT NULL,
    weight        DOUBLE NOT NULL,
    links         BIGINT NOT NULL,
    file_hash     VARCHAR NOT NULL,
    run_id        VARCHAR NOT NULL,
    PRIMARY KEY (from_vintage, from_code, to_vintage, to_code)
);
COMMENT ON TABLE core.hs_concordance IS 'HS vintage conversion from the UN conversion tables, both directions, at HS6, HS4 and HS2; grain: (from_vintage, from_code, to_vintage, to_code).';
COMMENT ON COLUMN core.hs_concordance.level IS 'Digits of both codes: 6, 4 or 2.';
COMMENT ON COLUMN core.hs_concordance.weight IS 'Share of the from code''s value allocated to the to code: newer->older HS6 is 1; older->newer HS6 splits equally over the newer codes; HS4/HS2 use the share of HS6 links.';
COMMENT ON COLUMN core.hs_concordance.links IS 'HS6 code pairs of the UN table behind this row.';
COMMENT ON COLUMN core.hs_concordance.file_hash IS 'Landed conversion table the row came from (meta.landed_files).';
