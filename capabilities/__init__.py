"""The capability taxonomy: one vocabulary for what partners can do and what needs require."""
