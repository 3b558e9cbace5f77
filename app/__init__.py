"""Outcomes: a real-time collaborative editor for a meeting's outcome document."""
