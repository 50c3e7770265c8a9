"""Planning: the bridge between the database and the pure matching engine, and saved plans."""
