"""The verifier: `python -m verifier DOSSIER` re-checks a published election record from its files
alone, with the EV1 library (`chalicelib.crypto`) and the standard library, nothing else of the
portal (pyproject.toml's import-linter contracts)."""
