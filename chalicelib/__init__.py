"""Espace électeur: the voter portal for the French public-sector professional elections."""
