"""GET /api/health: the load balancer's and the local stack's "is it up" check."""

from chalicelib.api.responses import ApiBlueprint, json_response
from chalicelib.api.schemas import Answer, obj, operation

health = ApiBlueprint(__name__)


@health.route("/api/health", methods=["GET"])
@operation("Le portail répond-il ?", answers={200: Answer(obj(status={"const": "ok"}), "Il répond.")})
def health_check():
    # Deliberately touches no table: it says the code is deployed and answering, and costs
    # nothing when polled every few seconds.
    return json_response({"status": "ok"})
