"""Shared test account data."""

PASSWORD = "Test-pass-2026"
