"""Benchmark scripts and the synthetic cities and exact solver they (and some tests) import."""
