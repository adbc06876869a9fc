"""Following threads and tags, and muting threads."""
