"""The seven preset schemes of schemes.md §2, as TOML files (data only, no code)."""
