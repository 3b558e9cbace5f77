"""The demo meeting's facts, kept in the project so a fresh clone can show a real meeting."""
