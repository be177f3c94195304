"""Column names the raw readers and the models share; free of pandera, so a reader stays light."""

from __future__ import annotations

ROW_COLUMN = "source_row"
"""Column every raw reader adds: the row's line number in the file (or index in the payload)."""
