"""Open311 GeoReport v2: the wire formats (pure) and, later, the server and client."""
