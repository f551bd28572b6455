"""Espace électeur: the Chalice application. It only assembles the blueprints."""

import logging

from chalice import Chalice

from chalicelib.api import middleware
from chalicelib.api.accounts import accounts
from chalicelib.api.elections import elections
from chalicelib.api.espace import espace
from chalicelib.api.health import health
from chalicelib.api.openapi import api_description
from chalicelib.api.pages import pages
from chalicelib.api.record import record
from chalicelib.api.voting import voting
from chalicelib.web import site
from chalicelib.workers.campaigns import campaign_workers
from chalicelib.workers.counting import count_worker
from chalicelib.workers.deliverability import deliverability_worker
from chalicelib.workers.mail import mail_worker

if not logging.getLogger().handlers:  # Lambda configures the root logger; elsewhere we do.
    logging.basicConfig(format="%(message)s")
logging.getLogger("espace_electeur").setLevel(logging.INFO)

app = Chalice(app_name="espace-electeur")

middleware.register(app)
app.register_blueprint(health)
app.register_blueprint(accounts)
app.register_blueprint(espace)
app.register_blueprint(elections)
app.register_blueprint(record)
app.register_blueprint(voting)
app.register_blueprint(api_description)
app.register_blueprint(mail_worker)
app.register_blueprint(deliverability_worker)
app.register_blueprint(campaign_workers)
app.register_blueprint(count_worker)
app.register_blueprint(pages)
app.api.binary_types.extend(site.BINARY_TYPES)
