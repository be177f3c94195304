"""pandera (polars) models: one per raw payload (``schemas.raw``), one per warehouse table (``schemas.core``)."""
