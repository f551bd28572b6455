"""Espace électeur: the Chalice application. It only assembles the blueprints."""

import logging

from chalice import Chalice

from chalicelib.api import middleware
from chalicelib.api.health import health

if not logging.getLogger().handlers:  # Lambda configures the root logger; elsewhere we do.
    logging.basicConfig(format="%(message)s")
logging.getLogger("espace_electeur").setLevel(logging.INFO)

app = Chalice(app_name="espace-electeur")

middleware.register(app)
app.register_blueprint(health)
