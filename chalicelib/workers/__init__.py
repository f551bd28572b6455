"""Event-driven entrypoints (SQS-triggered functions)."""
