"""Intake of city needs from 311 exports, blight surveys and Open311: read, map, validate, write.

The modules that read, map and validate files (reader, mapping, options, records, report,
duplicates) are pure: no Flask, no database. `writer` is the database side of one import and
`services` the use cases; places (neighbourhoods, the geocode cache) come from geo/, closing
needs from the needs services. Open311 builds on this package, never the other way round.
"""
