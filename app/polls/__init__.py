"""Member polls inside threads, including experience polls about a treatment."""
