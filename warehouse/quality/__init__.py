"""Quality gates on the loaded warehouse: Great Expectations suites run inside the load transaction."""
