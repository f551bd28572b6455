import subprocess
import sys
import zipfile

import pytest

from infra.aws import bytecode


def package_with(tmp_path, files):
    package = tmp_path / "deployment.zip"
    with zipfile.ZipFile(package, "w") as archive:
        for name, text in files.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=bytecode.FIXED_TIME), text)
    return package


def test_every_module_gets_checked_hash_bytecode_once(tmp_path):
    package = package_with(tmp_path, {"lib/__init__.py": "", "lib/rules.py": "LIMIT = 24\n", "lib/data.json": "{}"})

    assert bytecode.add_bytecode(package) == 2
    assert bytecode.add_bytecode(package) == 0  # a package already compiled is left as it is

    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        header = archive.read(f"lib/__pycache__/rules.{tag}.pyc")[:16]
        assert archive.read("lib/rules.py") == b"LIMIT = 24\n"  # the sources are kept, byte for byte
    assert {f"lib/__pycache__/__init__.{tag}.pyc", "lib/data.json"} <= names
    assert int.from_bytes(header[4:8], "little") == 0b11  # hash-based, checked against the source


def test_the_shipped_bytecode_is_what_python_imports(tmp_path):
    package = package_with(tmp_path, {"lib/__init__.py": "", "lib/rules.py": "LIMIT = 24\n"})
    bytecode.add_bytecode(package)
    unpacked = tmp_path / "task"
    with zipfile.ZipFile(package) as archive:
        archive.extractall(unpacked)

    # -B: like Lambda's read-only /var/task, Python may not write bytecode of its own.
    trace = subprocess.run(
        [sys.executable, "-B", "-v", "-c", "import lib.rules"], cwd=unpacked, capture_output=True, text=True, check=True
    ).stderr
    assert f"code object from '{unpacked}/lib/__pycache__/rules." in trace

    (unpacked / "lib" / "rules.py").write_text("LIMIT = 25\n")  # a stale .pyc is not run
    changed = subprocess.run(
        [sys.executable, "-B", "-c", "import lib.rules; print(lib.rules.LIMIT)"],
        cwd=unpacked,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert changed.strip() == "25"


@pytest.mark.skipif(sys.version_info[:2] == (3, 13), reason="this interpreter is the runtime's")
def test_only_the_runtimes_python_may_compile_the_package(tmp_path, capsys):
    package = package_with(tmp_path, {"app.py": ""})
    with pytest.raises(SystemExit):
        bytecode.main([str(package)])
    assert "python3.13" in capsys.readouterr().err
    with zipfile.ZipFile(package) as archive:
        assert archive.namelist() == ["app.py"]
