"""Cross-cutting pieces shared by every feature: database base, errors, auth, forms."""
