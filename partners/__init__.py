"""The partner registry: organisations, what they can do, how much, and where."""
