"""Intake of city needs from 311 exports, blight surveys and Open311: read, map, validate.

The modules here that read and validate files are pure: no Flask, no database.
"""
