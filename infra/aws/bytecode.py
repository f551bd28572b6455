"""Compiled bytecode in the deployment package, so that cold starts do not compile.

Lambda unpacks the package into /var/task, which is read-only: Python cannot cache the
bytecode it compiles there, so every cold start compiles every module it imports. Chalice
zips dependencies and chalicelib/ as source only. Measured on the build machine with Python
3.13, `import boto3, pynamodb.models` from the package takes about 800 ms from source and
320 ms compiled (see docs/runbook.md).

The bytecode is compiled by the interpreter that runs this module, which must be the Lambda
runtime's version (`make package` uses .venv-deploy). It is `checked-hash` bytecode: Python
uses a .pyc only if the hash of its source matches, so a stale .pyc is ignored rather than
run, and the zip's fixed timestamps (Chalice writes 1980-01-01) do not matter.

`chalice deploy` builds the same zip under .chalice/deployments/, named after a hash of the
requirements and the app files, and reuses it when it exists: `--chalice-cache` writes the
compiled package there, so that `chalice deploy` ships it too.
"""

from __future__ import annotations

import argparse
import compileall
import os
import py_compile
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

RUNTIME = "python3.13"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # as Chalice writes, so that equal inputs give equal zips


def add_bytecode(package: Path) -> int:
    """Adds a .pyc beside every .py of the zip that has none; returns how many were added."""
    with tempfile.TemporaryDirectory() as directory, zipfile.ZipFile(package) as original:
        root = Path(directory)
        original.extractall(root)
        compileall.compile_dir(
            root, quiet=2, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH, workers=os.cpu_count() or 1
        )
        present = set(original.namelist())
        compiled = sorted(
            path.relative_to(root).as_posix()
            for path in root.rglob("*.pyc")
            if path.relative_to(root).as_posix() not in present
        )
        rewritten = package.with_name(package.name + ".partial")
        with zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target:
            for entry in original.infolist():
                target.writestr(entry, original.read(entry))
            for name in compiled:
                entry = zipfile.ZipInfo(name, date_time=FIXED_TIME)
                entry.external_attr = 0o644 << 16
                entry.compress_type = zipfile.ZIP_DEFLATED
                target.writestr(entry, (root / name).read_bytes())
    os.replace(rewritten, package)
    return len(compiled)


def chalice_cache_path(project_dir: Path) -> Path:
    """Where `chalice deploy` looks for an already-built package of this project."""
    from chalice.deploy.packager import LambdaDeploymentPackager
    from chalice.utils import UI, OSUtils

    packager = LambdaDeploymentPackager(OSUtils(), None, UI())
    return Path(packager.deployment_package_filename(str(project_dir), RUNTIME))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="the deployment zip written by `chalice package`")
    parser.add_argument(
        "--chalice-cache", action="store_true", help="also put the compiled package where `chalice deploy` reuses it"
    )
    arguments = parser.parse_args(argv)
    if f"python{sys.version_info.major}.{sys.version_info.minor}" != RUNTIME:
        running = sys.version.split()[0]
        parser.error(f"the bytecode must be compiled by {RUNTIME}, the Lambda runtime (this is {running})")
    added = add_bytecode(arguments.package)
    print(f"{arguments.package}: {added} modules compiled for {RUNTIME}")
    if arguments.chalice_cache:
        cache = chalice_cache_path(Path.cwd())
        if not cache.exists():
            parser.error(f"{cache} does not exist: run `chalice package` for this project first")
        shutil.copyfile(arguments.package, cache)
        print(f"{cache}: the same package, for chalice deploy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
