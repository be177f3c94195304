"""Models of the warehouse tables the loader writes: conformed frames are checked against them."""
