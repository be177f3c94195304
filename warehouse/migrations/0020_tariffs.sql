-- Tariff schedules: lines, rates, programs and agreements, staging rules, HS sections.
-- Lines and rates are slowly changing history: each row is valid on [valid_from, valid_to)
-- (valid_to null = still in force), so the schedule in force on a date D is
--   WHERE valid_from <= D AND (valid_to IS NULL OR valid_to > D).

-- core.dim_hs_section — grain: one row per HS section (synced from warehouse/seeds/hs_sections.csv).
CREATE TABLE core.dim_hs_section (
    section        INTEGER PRIMARY KEY,
    roman          VARCHAR NOT NULL,
    first_chapter  INTEGER NOT NULL,
    last_chapter   INTEGER NOT NULL,
    title          VARCHAR NOT NULL
);
COMMENT ON TABLE core.dim_hs_section IS 'Harmonized System sections and the chapters each covers; grain: section. Chapters 98-99 (national provisions) belong to no section.';
COMMENT ON COLUMN core.dim_hs_section.section IS 'Section number, 1 to 21.';
COMMENT ON COLUMN core.dim_hs_section.roman IS 'Section number as printed in the nomenclature (I to XXI).';
COMMENT ON COLUMN core.dim_hs_section.first_chapter IS 'First HS chapter (2-digit code as an integer) of the section.';
COMMENT ON COLUMN core.dim_hs_section.last_chapter IS 'Last HS chapter of the section, inclusive.';
COMMENT ON COLUMN core.dim_hs_section.title IS 'Short English title of the section.';

-- core.dim_agreement — grain: one row per trade agreement (synced from warehouse/seeds/tariff_agreements.csv).
CREATE TABLE core.dim_agreement (
    agreement_id           VARCHAR PRIMARY KEY,
    name                   VARCHAR NOT NULL,
    parties                VARCHAR NOT NULL,
    signed_date            DATE,
    in_force_date          DATE,
    amended_in_force_date  DATE,
    citation               VARCHAR NOT NULL
);
COMMENT ON TABLE core.dim_agreement IS 'Trade agreements whose preferential rates the warehouse holds; grain: agreement_id.';
COMMENT ON COLUMN core.dim_agreement.agreement_id IS 'Short upper-case id, e.g. KORUS.';
COMMENT ON COLUMN core.dim_agreement.parties IS 'ISO 3166-1 alpha-3 codes of the parties, comma-separated.';
COMMENT ON COLUMN core.dim_agreement.signed_date IS 'Date the agreement was signed.';
COMMENT ON COLUMN core.dim_agreement.in_force_date IS 'Date it entered into force: year 1 of every staging path starts here.';
COMMENT ON COLUMN core.dim_agreement.amended_in_force_date IS 'Date the latest amending protocol entered into force, if any.';
COMMENT ON COLUMN core.dim_agreement.citation IS 'Where the dates come from.';

-- core.dim_tariff_program — grain: (importer_id, program_code): the codes of an importer's preference column.
CREATE TABLE core.dim_tariff_program (
    importer_id    VARCHAR NOT NULL,
    program_code   VARCHAR NOT NULL,
    agreement_id   VARCHAR,
    name           VARCHAR,
    citation       VARCHAR NOT NULL,
    PRIMARY KEY (importer_id, program_code)
);
COMMENT ON TABLE core.dim_tariff_program IS 'Preference programs and agreements as each importer''s schedule codes them (HTS Special column: A+, AU, KR ...); grain: (importer_id, program_code). Codes met in a schedule but absent from the seed are added with a null name.';
COMMENT ON COLUMN core.dim_tariff_program.importer_id IS 'Country applying the schedule (core.dim_country).';
COMMENT ON COLUMN core.dim_tariff_program.program_code IS 'Code as printed in the schedule, e.g. KR, A+, S+; ALL for a Special-column rate printed without a program list.';
COMMENT ON COLUMN core.dim_tariff_program.agreement_id IS 'Agreement the program implements (core.dim_agreement), null for unilateral programs such as GSP.';
COMMENT ON COLUMN core.dim_tariff_program.citation IS 'Where the code''s meaning comes from, or why it is unknown.';

-- core.dim_staging_category — grain: (agreement_id, importer_id, category): the reviewed rule table.
CREATE TABLE core.dim_staging_category (
    agreement_id    VARCHAR NOT NULL,
    importer_id     VARCHAR NOT NULL,
    category        VARCHAR NOT NULL,
    rule_kind       VARCHAR NOT NULL,
    stages          INTEGER,
    duty_free_year  INTEGER,
    floor_pct       DOUBLE,
    usable          BOOLEAN NOT NULL,
    status          VARCHAR NOT NULL,
    rule_text       VARCHAR,
    citation        VARCHAR NOT NULL,
    PRIMARY KEY (agreement_id, importer_id, category)
);
COMMENT ON TABLE core.dim_staging_category IS 'Tariff-elimination staging categories and their rules, one reviewed row each; grain: (agreement_id, importer_id, category). Rules whose official text was not available are kept with usable = false and say so in citation.';
COMMENT ON COLUMN core.dim_staging_category.importer_id IS 'Party whose schedule uses the category (core.dim_country).';
COMMENT ON COLUMN core.dim_staging_category.rule_kind IS 'immediate (duty-free at entry into force), equal_stages (cut to 0 in equal annual stages), equal_stages_to_floor (cut to floor_pct in equal stages, then duty-free), base_rate (no reduction), unknown.';
COMMENT ON COLUMN core.dim_staging_category.stages IS 'Number of equal annual stages; stage 1 applies at entry into force, stage k on 1 January of year k.';
COMMENT ON COLUMN core.dim_staging_category.duty_free_year IS 'Agreement year (1 = year of entry into force) on whose 1 January the good becomes duty-free.';
COMMENT ON COLUMN core.dim_staging_category.floor_pct IS 'Ad valorem rate in percent reached by the last stage of an equal_stages_to_floor rule.';
COMMENT ON COLUMN core.dim_staging_category.usable IS 'True when the rule is known well enough to compute a rate path; false rows produce no path and are counted as unscheduled.';
COMMENT ON COLUMN core.dim_staging_category.status IS 'quoted (official text quoted), inferred (completed by analogy, see citation), secondary (from a secondary source), unknown.';
COMMENT ON COLUMN core.dim_staging_category.citation IS 'Source of the rule and the confidence in it.';

-- core.dim_tariff_edition — grain: (importer_id, source, valid_from): each schedule edition loaded.
CREATE TABLE core.dim_tariff_edition (
    importer_id     VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,
    valid_from      DATE NOT NULL,
    edition         VARCHAR NOT NULL,
    file_hash       VARCHAR NOT NULL,
    run_id          VARCHAR NOT NULL,
    loaded_at       TIMESTAMPTZ NOT NULL,
    lines           BIGINT NOT NULL,
    rates           BIGINT NOT NULL,
    unparsed_rates  BIGINT NOT NULL,
    PRIMARY KEY (importer_id, source, valid_from)
);
COMMENT ON TABLE core.dim_tariff_edition IS 'Schedule editions and revisions loaded, by the date they take effect; grain: (importer_id, source, valid_from).';
COMMENT ON COLUMN core.dim_tariff_edition.source IS 'Dataset: usitc_hts, korea_mfn, korus_schedule.';
COMMENT ON COLUMN core.dim_tariff_edition.valid_from IS 'Date the edition takes effect (given at load time).';
COMMENT ON COLUMN core.dim_tariff_edition.edition IS 'Edition label, e.g. the file name or "HTS 2024 Basic".';
COMMENT ON COLUMN core.dim_tariff_edition.lines IS 'Rows of the edition in core.dim_tariff_line (headings included).';
COMMENT ON COLUMN core.dim_tariff_edition.rates IS 'Rate rows of the edition (one per line, rate type and program).';
COMMENT ON COLUMN core.dim_tariff_edition.unparsed_rates IS 'Rate rows whose text did not parse (kept with parse_status = unparsed).';

-- core.dim_tariff_line — grain: (importer_id, source, line_key, valid_from): one version of one row of a schedule.
CREATE TABLE core.dim_tariff_line (
    importer_id       VARCHAR NOT NULL,
    source            VARCHAR NOT NULL,
    line_key          VARCHAR NOT NULL,
    tariff_line       VARCHAR,
    level             INTEGER NOT NULL,
    indent            INTEGER,
    parent_key        VARCHAR,
    description       VARCHAR,
    description_path  VARCHAR,
    units             VARCHAR,
    footnotes         VARCHAR,
    is_heading        BOOLEAN NOT NULL,
    valid_from        DATE NOT NULL,
    valid_to          DATE,
    edition           VARCHAR NOT NULL,
    row_hash          VARCHAR NOT NULL,
    run_id            VARCHAR NOT NULL,
    PRIMARY KEY (importer_id, source, line_key, valid_from)
);
COMMENT ON TABLE core.dim_tariff_line IS 'Rows of tariff schedules (numbered lines and unnumbered headings) as slowly changing history; grain: (importer_id, source, line_key, valid_from).';
COMMENT ON COLUMN core.dim_tariff_line.importer_id IS 'Country applying the schedule (core.dim_country).';
COMMENT ON COLUMN core.dim_tariff_line.line_key IS 'Digits of the line number; for an unnumbered heading, the digits of the numbered row before it, "/h" and its position after that row (e.g. 0101/h1).';
COMMENT ON COLUMN core.dim_tariff_line.tariff_line IS 'Line number, digits only (8703.23.01 -> 87032301); null for unnumbered headings.';
COMMENT ON COLUMN core.dim_tariff_line.level IS 'Number of digits (4 heading, 6 subheading, 8 tariff line, 10 statistical suffix); 0 for unnumbered headings.';
COMMENT ON COLUMN core.dim_tariff_line.indent IS 'Indentation as printed (0 = heading); the hierarchy is derived from it.';
COMMENT ON COLUMN core.dim_tariff_line.parent_key IS 'line_key of the nearest preceding row with a smaller indent (headings included).';
COMMENT ON COLUMN core.dim_tariff_line.description_path IS 'Descriptions from the top-level heading down to this row, joined with " > ".';
COMMENT ON COLUMN core.dim_tariff_line.units IS 'Units of quantity, comma-separated as printed (No., kg, m2 ...), markup removed.';
COMMENT ON COLUMN core.dim_tariff_line.footnotes IS 'Footnotes as a JSON array of {columns, marker, text} (JSON export only; the CSV export carries none).';
COMMENT ON COLUMN core.dim_tariff_line.is_heading IS 'True for unnumbered (indent-only) headings kept as parents.';
COMMENT ON COLUMN core.dim_tariff_line.valid_from IS 'First day this version applies.';
COMMENT ON COLUMN core.dim_tariff_line.valid_to IS 'First day it no longer applies (exclusive); null while in force.';
COMMENT ON COLUMN core.dim_tariff_line.edition IS 'Edition that introduced this version.';
COMMENT ON COLUMN core.dim_tariff_line.row_hash IS 'MD5 of the versioned attributes: a new version is opened only when it changes.';
COMMENT ON COLUMN core.dim_tariff_line.run_id IS 'Run that opened this version (meta.runs).';

-- core.fact_tariff_rate — grain: (importer_id, source, tariff_line, rate_type, program_code, valid_from).
-- program_code is null for MFN, column 2 and additional rates; the loader asserts uniqueness.
CREATE TABLE core.fact_tariff_rate (
    importer_id        VARCHAR NOT NULL,
    source             VARCHAR NOT NULL,
    tariff_line        VARCHAR NOT NULL,
    rate_type          VARCHAR NOT NULL,
    program_code       VARCHAR,
    agreement_id       VARCHAR,
    rate_kind          VARCHAR NOT NULL,
    parse_status       VARCHAR NOT NULL,
    ad_valorem_pct     DOUBLE,
    specific_amount    DOUBLE,
    specific_currency  VARCHAR,
    specific_unit      VARCHAR,
    rate_components    VARCHAR,
    qualifier          VARCHAR,
    reference          VARCHAR,
    rate_text          VARCHAR NOT NULL,
    staging_category   VARCHAR,
    valid_from         DATE NOT NULL,
    valid_to           DATE,
    edition            VARCHAR NOT NULL,
    row_hash           VARCHAR NOT NULL,
    run_id             VARCHAR NOT NULL,
    file_hash          VARCHAR NOT NULL
);
COMMENT ON TABLE core.fact_tariff_rate IS 'Duty rates of tariff lines as slowly changing history; grain: (importer_id, source, tariff_line, rate_type, program_code, valid_from).';
COMMENT ON COLUMN core.fact_tariff_rate.importer_id IS 'Country applying the rate (core.dim_country).';
COMMENT ON COLUMN core.fact_tariff_rate.source IS 'Dataset: usitc_hts, korea_mfn, korus_schedule.';
COMMENT ON COLUMN core.fact_tariff_rate.tariff_line IS 'Line the rate is printed on, digits only (8 or 10 digits for the HTS, 10 for Korea''s HSK).';
COMMENT ON COLUMN core.fact_tariff_rate.rate_type IS 'mfn (HTS column 1 General; Korea''s MFN applied rate), preferential (a program or agreement), column2 (HTS column 2), additional (HTS Additional Duties column).';
COMMENT ON COLUMN core.fact_tariff_rate.program_code IS 'Program as coded by the importer (core.dim_tariff_program); null unless rate_type = preferential.';
COMMENT ON COLUMN core.fact_tariff_rate.agreement_id IS 'Agreement behind the program (core.dim_agreement), e.g. KORUS.';
COMMENT ON COLUMN core.fact_tariff_rate.rate_kind IS 'free, ad_valorem, specific, compound, multi_component, greater_of, lesser_of, reference (defined elsewhere: another line, chapter 99, a note), unparsed.';
COMMENT ON COLUMN core.fact_tariff_rate.parse_status IS 'parsed, or unparsed (the text is kept in rate_text and counted; nothing is guessed).';
COMMENT ON COLUMN core.fact_tariff_rate.ad_valorem_pct IS 'Ad valorem rate in percent of value (0 for free); null when the rate is not free, ad valorem or compound.';
COMMENT ON COLUMN core.fact_tariff_rate.specific_amount IS 'Specific duty in specific_currency per specific_unit, in whole currency units (1¢/kg = 0.01 USD/kg); specific and compound rates only.';
COMMENT ON COLUMN core.fact_tariff_rate.specific_currency IS 'ISO 4217 currency of specific_amount: USD, KRW.';
COMMENT ON COLUMN core.fact_tariff_rate.specific_unit IS 'Quantity unit of the specific duty: kg, liter, pf. liter, each, doz., head, m2, 1000 ...';
COMMENT ON COLUMN core.fact_tariff_rate.rate_components IS 'Every component as JSON [{kind, value, currency, unit, basis}]: the full structure of multi-component and alternative rates.';
COMMENT ON COLUMN core.fact_tariff_rate.qualifier IS 'Bases and conditions the numeric columns do not carry ("on drained weight", "under bond").';
COMMENT ON COLUMN core.fact_tariff_rate.reference IS 'For reference rates: what the rate refers to (a line such as 9822.05.15, a note, "No change").';
COMMENT ON COLUMN core.fact_tariff_rate.rate_text IS 'Rate text exactly as published (for a program, the text before its program list).';
COMMENT ON COLUMN core.fact_tariff_rate.staging_category IS 'Staging category of an agreement schedule line (core.dim_staging_category).';
COMMENT ON COLUMN core.fact_tariff_rate.valid_from IS 'First day the rate applies.';
COMMENT ON COLUMN core.fact_tariff_rate.valid_to IS 'First day it no longer applies (exclusive); null while in force.';
COMMENT ON COLUMN core.fact_tariff_rate.edition IS 'Edition (or derived path) that opened this version.';
COMMENT ON COLUMN core.fact_tariff_rate.row_hash IS 'MD5 of the versioned attributes: a new version is opened only when it changes.';
COMMENT ON COLUMN core.fact_tariff_rate.run_id IS 'Run that opened this version (meta.runs).';
COMMENT ON COLUMN core.fact_tariff_rate.file_hash IS 'Landed payload the rate came from (meta.landed_files).';
