"""After `aws cloudformation deploy`, before `chalice deploy`: put the stack's outputs where
Chalice reads them.

    python -m infra.aws.deploy record-outputs --stage prod [--stack espace-electeur-prod]

reads the stack's outputs (table and queue names, ARNs), writes them into the stage's
`environment_variables` in `.chalice/config.json`, writes each function's least-privilege
policy into `.chalice/policy-<stage>-<function>.json`, and points the stage's functions at
those policies with `autogen_policy` off. Run it again after any change to the stack.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import boto3

from infra.aws import policies
from infra.aws.stack import APP, output_variables

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
    missing = [key for key in output_variables() if key not in outputs]
    if missing:
        raise SystemExit(f"the stack has no output {', '.join(missing)}: is it the right stack, up to date?")
    for key, variable in output_variables().items():
        environment[variable] = outputs[key]
    stage_config["autogen_policy"] = False
    functions = stage_config.setdefault("lambda_functions", {})
    for function in policies.DYNAMODB:
        policy_file = f"policy-{stage}-{function}.json"
        (config_path.parent / policy_file).write_text(
            json.dumps(policies.function_policy(function, outputs), indent=2) + "\n", encoding="utf-8"
        )
        functions.setdefault(function, {})["iam_policy_file"] = policy_file
    config_path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return stage_config


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.aws.deploy")
    commands = parser.add_subparsers(dest="command", required=True)
    record = commands.add_parser("record-outputs", help="write the stack's outputs into .chalice/config.json")
    record.add_argument("--stage", required=True)
    record.add_argument("--stack", help=f"stack name (default {APP}-STAGE)")
    record.add_argument("--region", default="eu-west-3")
    args = parser.parse_args(argv)
    outputs = stack_outputs(args.stack or f"{APP}-{args.stage}", args.region)
    record_outputs(args.stage, outputs)
    print(f"Stage {args.stage}: {len(output_variables())} settings and {len(policies.DYNAMODB)} policies recorded in .chalice/.",
          file=sys.stderr)
    print(f"Next: make static && .venv/bin/chalice deploy --stage {args.stage}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
