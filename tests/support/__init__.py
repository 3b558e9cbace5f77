"""Helpers shared by the test suites: real databases and a real server process."""
