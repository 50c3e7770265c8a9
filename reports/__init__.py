"""Residents' reports: the public front door (the web form and Open311 apps share one path),
the coordinators' triage queue, and what the public may see of a report."""
