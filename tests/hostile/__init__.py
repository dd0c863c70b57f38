"""Attack strings for the hostile-content tests."""
