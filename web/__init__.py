"""HTML pages for people (coordinators, partner members, outreach staff, viewers)."""
