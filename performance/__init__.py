"""How the programme performs: KPIs from need events, the coverage-gap matrix, open data."""
