"""What is deployed, as the seal's manifest records it: the code package and the static assets.

On AWS the package is the zip Chalice deployed: Lambda reports its SHA-256 (`CodeSha256`,
base64), and every function of the stage runs the same zip, so the API's function stands for
all; the configuration is the environment that function runs with. Locally (`make run`, the
tests) nothing is zipped: the package is the source tree the stack serves, hashed file by
file. The static assets (pages, scripts, the DSFR, the booth's bundle) are hashed one by one
from `chalicelib/static/`, which the package ships whole.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

import boto3

from chalicelib import settings

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "chalicelib" / "static"
APP = "espace-electeur"
LOCAL_STAGES = ("local", "test")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _listing_digest(files: list[dict]) -> str:
    lines = "".join(f"{f['sha256']}  {f['path']}\n" for f in files)  # sha256sum's format
    return hashlib.sha256(lines.encode()).hexdigest()


def static_assets() -> dict:
    files = [
        {"path": str(p.relative_to(STATIC)), "sha256": _sha256(p)}
        for p in sorted(STATIC.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    ]
    return {"sha256": _listing_digest(files), "files": files}


def _source_files() -> list[Path]:
    sources = [ROOT / "app.py", ROOT / "requirements.txt"]
    sources += sorted(p for p in (ROOT / "chalicelib").rglob("*.py") if "__pycache__" not in p.parts)
    return sources


def configuration(stage: str, local: dict) -> dict:
    """The environment the deployed functions run with: on AWS, read from the API function
    (what is deployed, not this checkout's file); locally, the stage's configuration."""
    if stage in LOCAL_STAGES:
        return dict(local)
    client = boto3.client("lambda", region_name=settings.region())
    found = client.get_function_configuration(FunctionName=f"{APP}-{stage}")
    return dict(found.get("Environment", {}).get("Variables", {}))


def package(stage: str) -> dict:
    if stage in LOCAL_STAGES:
        files = [{"path": str(p.relative_to(ROOT)), "sha256": _sha256(p)} for p in _source_files()]
        return {"kind": "source", "sha256": _listing_digest(files), "files": len(files)}
    client = boto3.client("lambda", region_name=settings.region())
    name = f"{APP}-{stage}"
    code = client.get_function(FunctionName=name)["Configuration"]["CodeSha256"]
    return {"kind": "lambda", "function": name, "sha256": base64.b64decode(code).hex()}
