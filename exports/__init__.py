"""Exports of needs and partners (CSV, GeoJSON) and the CSV formula-injection guard."""
