"""Geography: geocoders (the offline gazetteer and geopy configuration).

Must not import Flask, SQLAlchemy or web code.
"""
