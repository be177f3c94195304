-- Schemas of the warehouse, in the order data flows through them.
--   core  : conformed dimensions and facts (the star schema)
--   marts : views answering analysts' questions, rebuilt from core on every migration
--   meta  : bookkeeping: schema version, runs, landed files, quarantined rows
CREATE SCHEMA IF NOT EXISTS core;
CREATE SCHEMA IF NOT EXISTS marts;
CREATE SCHEMA IF NOT EXISTS meta;
