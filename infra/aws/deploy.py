"""The deploy steps around `chalice deploy` (see the README's Deploy section).

    python -m infra.aws.deploy record-outputs --stage prod [--stack espace-electeur-prod]
    python -m infra.aws.deploy configure-api --stage prod

record-outputs, after `aws cloudformation deploy` and before `chalice deploy`:
reads the stack's outputs (table and queue names, ARNs), writes them into the stage's
`environment_variables` in `.chalice/config.json`, writes each function's least-privilege
policy into `.chalice/policy-<stage>-<function>.json`, and sets the stage's `lambda_functions`
from `infra/aws/functions.py` (sizes, reserved concurrency, those policies, `autogen_policy`
off). Run it again after any change to the stack or the registry.

configure-api, after `chalice deploy`: API Gateway's own answers (unknown route, throttling,
gateway failures) become French JSON in our error shape, and the stage gets its throttling.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import boto3

from infra.aws import policies
from infra.aws.functions import APP, FUNCTIONS
from infra.aws.stack import OUTPUT_VARIABLES, build_merge_template, build_template

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / ".chalice" / "config.json"


def stack_outputs(stack_name: str, region: str) -> dict[str, str]:
    stack = boto3.client("cloudformation", region_name=region).describe_stacks(StackName=stack_name)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def record_outputs(stage: str, outputs: dict[str, str], config_path: Path = CONFIG) -> dict:
    """Update the stage in `.chalice/config.json` and write its policy files; return the stage."""
    config = json.loads(config_path.read_text(encoding="utf-8"))
    stage_config = config["stages"].setdefault(stage, {})
    environment = stage_config.setdefault("environment_variables", {})
    missing = [key for key in OUTPUT_VARIABLES if key not in outputs]
    if missing:
        raise SystemExit(f"the stack has no output {', '.join(missing)}: is it the right stack, up to date?")
    for key, variable in OUTPUT_VARIABLES.items():
        environment[variable] = outputs[key]
    stage_config["autogen_policy"] = False
    functions = stage_config.setdefault("lambda_functions", {})
    for function in FUNCTIONS:
        settings = function.chalice_config(stage)
        (config_path.parent / settings["iam_policy_file"]).write_text(
            json.dumps(policies.function_policy(function.handler, outputs), indent=2) + "\n", encoding="utf-8"
        )
        functions.setdefault(function.handler, {}).update(settings)
    config_path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return stage_config


# API Gateway's own answers (unknown route, throttling, its own failures) in our JSON shape.
GATEWAY_RESPONSES = {
    "MISSING_AUTHENTICATION_TOKEN": ("404", "not_found"),  # what API Gateway says for an unknown route
    "RESOURCE_NOT_FOUND": ("404", "not_found"),
    "THROTTLED": ("429", "throttled"),
    "DEFAULT_4XX": (None, "bad_request"),
    "DEFAULT_5XX": (None, "service_unavailable"),
}
# Designed for ten times the estimated peak: 3,000 sign-ins/s, each a few requests.
STAGE_RATE_LIMIT = 5000
STAGE_BURST_LIMIT = 10000


def gateway_response_bodies() -> dict[str, tuple[str | None, str]]:
    """Each body carries API Gateway's request id (a template variable it fills in), so that
    a 5xx the gateway answers itself (our function timed out or failed) can be traced too."""
    from chalicelib.domain import messages

    return {
        response_type: (
            status,
            json.dumps(
                {"error": {"code": code, "message": messages.for_code(code), "request_id": "$context.requestId"}},
                ensure_ascii=False,
            ),
        )
        for response_type, (status, code) in GATEWAY_RESPONSES.items()
    }


def write_merge_template(stage: str, path: Path) -> None:
    merge_policies(stage)
    template = build_merge_template(gateway_response_bodies(), STAGE_RATE_LIMIT, STAGE_BURST_LIMIT)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(template, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def configure_api(
    rest_api_id: str, region: str, stage_name: str = "api", rate: int = STAGE_RATE_LIMIT, burst: int = STAGE_BURST_LIMIT
) -> None:
    """Gateway responses in French JSON, stage throttling, and a deployment to apply them."""
    client = boto3.client("apigateway", region_name=region)
    for response_type, (status, body) in gateway_response_bodies().items():
        arguments = {
            "restApiId": rest_api_id,
            "responseType": response_type,
            "responseTemplates": {"application/json": body},
            "responseParameters": {
                "gatewayresponse.header.Cache-Control": "'no-store'",
                "gatewayresponse.header.X-Content-Type-Options": "'nosniff'",
            },
        }
        if status:
            arguments["statusCode"] = status
        client.put_gateway_response(**arguments)
    # Gateway responses take effect with a deployment; throttling is a setting of the stage.
    client.create_deployment(restApiId=rest_api_id, stageName=stage_name, description="gateway responses")
    client.update_stage(
        restApiId=rest_api_id,
        stageName=stage_name,
        patchOperations=[
            {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": str(rate)},
            {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": str(burst)},
        ],
    )


def deployed_rest_api_id(stage: str) -> str:
    deployed = json.loads((ROOT / ".chalice" / "deployed" / f"{stage}.json").read_text())
    return next(r["rest_api_id"] for r in deployed["resources"] if r.get("resource_type") == "rest_api")


def merge_policies(stage: str, config_dir: Path = CONFIG.parent) -> None:
    """For `make package` (one stack): the same policies, naming the resources of the merged
    template itself (`Fn::Sub`), since no account or ARN exists yet."""
    references = policies.template_references(build_template()["Outputs"])
    for function in FUNCTIONS:
        references[f"{function.logical_id}LogGroupArn"] = (  # without the ':*' the policy adds
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/"
            + function.function_name
        )
        document = policies.in_template(policies.function_policy(function.handler, references))
        (config_dir / function.chalice_config(stage)["iam_policy_file"]).write_text(
            json.dumps(document, indent=2) + "\n", encoding="utf-8"
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.aws.deploy")
    commands = parser.add_subparsers(dest="command", required=True)
    record = commands.add_parser("record-outputs", help="write the stack's outputs into .chalice/config.json")
    record.add_argument("--stage", required=True)
    record.add_argument("--stack", help=f"stack name (default {APP}-STAGE)")
    record.add_argument("--region", default="eu-west-3")
    merge = commands.add_parser("merge-template", help="the template and policies for make package")
    merge.add_argument("--stage", required=True)
    merge.add_argument("--output", required=True)
    api = commands.add_parser("configure-api", help="after chalice deploy: gateway responses and throttling")
    api.add_argument("--stage", required=True)
    api.add_argument("--region", default="eu-west-3")
    args = parser.parse_args(argv)
    if args.command == "merge-template":
        write_merge_template(args.stage, Path(args.output))
        return 0
    if args.command == "configure-api":
        rest_api_id = deployed_rest_api_id(args.stage)
        configure_api(rest_api_id, args.region)
        print(f"API {rest_api_id}: gateway responses and stage throttling applied.", file=sys.stderr)
        return 0
    outputs = stack_outputs(args.stack or f"{APP}-{args.stage}", args.region)
    record_outputs(args.stage, outputs)
    print(
        f"Stage {args.stage}: {len(OUTPUT_VARIABLES)} settings and {len(FUNCTIONS)} policies recorded in .chalice/.",
        file=sys.stderr,
    )
    print(f"Next: make static && .venv/bin/chalice deploy --stage {args.stage}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
