"""The project's promises about itself: README and CI agree, the package installs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _quickstart() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block, "the Quickstart has no sh code block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_quickstart_has_two_commands_and_ci_runs_the_test_command() -> None:
    commands = _quickstart()
    assert len(commands) == 2, commands
    assert "rtlint check" in commands[0]
    assert "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci.splitlines(), "CI must run the README's test command verbatim"


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the source checkout")
def test_fresh_install_finds_rules_from_another_directory(tmp_path: Path) -> None:
    """`pip install .` into a fresh venv, run elsewhere: every rule is found and reports."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", str(ROOT)],
        check=True,
        cwd=tmp_path,
    )
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "PYTHONPATH": _site_packages()}
    listed = subprocess.run(
        [str(python), "-c", "import rtlint.rules, rtlint.registry as r; "
         "print(rtlint.rules.__file__); print(*[x.code for x in r.all_rules()])"],
        capture_output=True, text=True, cwd=tmp_path, env=env, check=True,
    )  # fmt: skip
    module_file, codes = listed.stdout.splitlines()
    assert str(venv) in module_file, "rules must come from the installed package"
    assert "RT001" in codes.split()
    out = subprocess.run(
        [str(venv / "bin" / "rtlint"), "check", "--output-format", "concise",
         str(ROOT / "examples" / "python")],
        capture_output=True, text=True, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert out.returncode == 1, out.stderr
    example = (ROOT / "examples" / "python" / "voice_adapter.py").read_text().splitlines()
    line = next(i for i, text in enumerate(example, 1) if "the bug" in text)
    assert f"voice_adapter.py:{line}:15: RT001" in out.stdout


def _site_packages() -> str:
    """The running environment's dependencies, minus the editable checkout."""
    import libcst

    return str(Path(libcst.__file__).parent.parent)


def test_every_package_directory_ships() -> None:
    """Each package directory is listed in pyproject.toml, so `pip install .` carries it."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "rtlint").rglob("__init__.py")
    } | {"rtlint.rules"}
    assert found == listed


def test_ruff_and_mypy_are_clean() -> None:
    """The code base keeps its own standards: ruff (lint + format) and mypy --strict."""
    bin_dir = Path(sys.executable).parent
    for command in (
        ["ruff", "check", "--quiet", "."],
        ["ruff", "format", "--check", "--quiet", "."],
    ):
        run = subprocess.run(
            [str(bin_dir / command[0]), *command[1:]], cwd=ROOT, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stdout + run.stderr
    run = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr


def test_documents_cited_in_docstrings_ship_with_the_package() -> None:
    """A ``NAME.md`` a module cites is next to it and declared as package data."""
    import re

    import tomllib

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package_data = pyproject["tool"]["setuptools"].get("package-data", {})
    cited = 0
    for module in sorted((ROOT / "rtlint").rglob("*.py")):
        for name in set(re.findall(r"\b([A-Z][A-Za-z_]*\.md)\b", module.read_text("utf-8"))):
            cited += 1
            package = ".".join(module.parent.relative_to(ROOT).parts)
            assert (module.parent / name).is_file(), f"{module}: cites {name}, not shipped"
            assert name in package_data.get(package, []), f"{name}: not in {package} data"
    assert cited


def test_readme_pins_rtlint_only_to_revisions_that_exist_or_placeholders() -> None:
    """No release is tagged: the README must not name a tag (`rev: v0.1.0`) that is not there."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pins = re.findall(r"^\s*rev: (\S+)", readme, re.MULTILINE)
    pins += re.findall(r"github\.com/rtlint/rtlint@([^\"'\s]+)", readme)
    assert pins
    tags = subprocess.run(["git", "tag", "-l"], cwd=ROOT, capture_output=True, text=True).stdout
    for pin in pins:
        assert pin == "<commit-sha>" or pin in tags.split(), f"README pins rtlint to {pin}"
