"""HTTP entrypoints: one Chalice blueprint per area, thin handlers over the services."""
