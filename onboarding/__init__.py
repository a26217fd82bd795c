"""Card sets, rotation requirements, acknowledgements, readiness and reminders."""
