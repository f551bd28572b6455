"""A stage's environment, read from `.chalice/config.json`, the file Chalice itself uses.

So `--stage local` talks to the local stack and `--stage prod` to AWS with exactly the
table names and settings the deployed functions see.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

CONFIG_PATH = Path(__file__).resolve().parents[2] / ".chalice" / "config.json"


class UnknownStage(Exception):
    pass


def stage_environment(stage: str, config_path: Path = CONFIG_PATH) -> dict[str, str]:
    config = json.loads(config_path.read_text(encoding="utf-8"))
    stages = config.get("stages", {})
    if stage not in stages:
        raise UnknownStage(f"étape « {stage} » inconnue ; étapes définies : {', '.join(sorted(stages))}")
    environment = dict(config.get("environment_variables", {}))
    environment.update(stages[stage].get("environment_variables", {}))
    return environment


def enter_stage(stage: str, config_path: Path = CONFIG_PATH) -> dict[str, str]:
    """Put the stage's variables into this process's environment and return them."""
    environment = stage_environment(stage, config_path)
    os.environ.update(environment)
    return environment
