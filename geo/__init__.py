"""Places: neighbourhoods, distances and geocoding."""
