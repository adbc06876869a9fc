"""Members: registration, sign-in, API tokens and roles."""
