"""GET /api/health: the load balancer's and the local stack's "is it up" check."""

from chalicelib.api.responses import ApiBlueprint, json_response

health = ApiBlueprint(__name__)


@health.route("/api/health", methods=["GET"])
def health_check():
    # Deliberately touches no table: it says the code is deployed and answering, and costs
    # nothing when polled every few seconds.
    return json_response({"status": "ok"})
