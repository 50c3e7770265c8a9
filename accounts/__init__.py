"""Users, roles, API tokens and the acting user passed to every service."""
