"""Threaded discussions: threads, nested posts, revisions, tags."""
