"""Event envelope (CloudEvents 1.0) and the typed catalogue of every event the platform speaks."""
