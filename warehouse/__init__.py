"""DuckDB warehouse: DDL and migrations, seeds, the loader, marts as views, exports."""
