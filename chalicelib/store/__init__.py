"""DynamoDB adapters: one PynamoDB model per table, and the queries made on it.

Every access pattern used by a request or a CLI command is written down in
`docs/data-model.md`; keep the two in step.
"""
