"""Who hears about a post, and how: the fan-out, emails, digests and the job queue they run on."""
