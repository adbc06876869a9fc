"""Pages that belong to no single feature: the home page."""
