"""Infrastructure every domain shares: settings, database, clock, people and audit."""
