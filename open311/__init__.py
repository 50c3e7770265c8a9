"""Open311 GeoReport v2: the wire formats (pure), the `/open311/v2` endpoint, and the client and
`flask import-open311` command that read another city's endpoint through intake."""
