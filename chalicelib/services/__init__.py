"""Use cases: each module is one family of things the portal or its administrators do."""
