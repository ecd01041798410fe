"""A wheel (``pip install .``, not only the editable checkout) carries everything QA Desk
reads at run time: every Python package, the migrations, and the shipped resources and
forms, which sit at the repository's root and are mapped into the package."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _setuptools():
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]


def test_every_package_is_listed():
    """The package list is explicit (a mapped folder cannot be found): a new subpackage
    left out of it would be missing from every installed copy."""
    found = {".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "qa_desk").rglob("__init__.py")}
    listed = set(_setuptools()["packages"])
    assert found <= listed, f"add to pyproject.toml [tool.setuptools] packages: {sorted(found - listed)}"
    assert set(_setuptools()["package-dir"]) == listed - found


@pytest.mark.slow
def test_wheel_carries_resources_and_forms(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "-w", str(tmp_path), str(ROOT)], check=True, capture_output=True, cwd=tmp_path)
    wheel = next(tmp_path.glob("qa_desk-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = [p for folder in ("resources", "forms") for p in (ROOT / folder).rglob("*")
               if p.is_file() and p.suffix != ".qm"]  # .qm files are built, not shipped
    missing = [str(p.relative_to(ROOT)) for p in shipped if f"qa_desk/{p.relative_to(ROOT).as_posix()}" not in names]
    assert not missing, f"not in the wheel: {missing}"
    assert any(n.startswith("qa_desk/store/migrations/versions/0001") for n in names)
    # and the installed layout finds them (unpacked, a wheel is importable as it is)
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    code = ("from qa_desk.paths import resources_dir; from qa_desk.scoring.forms import shipped_forms; "
            "print(resources_dir()); print(len(shipped_forms()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path,
                         env={"PYTHONPATH": str(unpacked), "PATH": "/usr/bin:/bin"}).stdout.split()
    assert out[0] == str(unpacked / "qa_desk" / "resources")
    assert int(out[1]) == len(list((ROOT / "forms").glob("*.yaml")))
