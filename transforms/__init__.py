"""Pure polars transforms, no I/O: raw frames in, conformed frames out."""
