"""Configuration: discovery (nearest file wins), keys, validation, selection and `rtlint config`."""

from __future__ import annotations

from pathlib import Path

import pytest

from rtlint.registry import all_rules
from tests.cli import concise, rtlint, write

UNGUARDED = """\
import json


class Adapter:
    async def send_text(self, text):
        await self.ws.send(json.dumps({"type": "response.create"}))
"""

BUSY_GUARD = """\
import json


class Adapter:
    async def commit(self):
        if self.busy_now:
            return
        await self.ws.send(json.dumps({"type": "response.create"}))
"""


def _concise(cwd: Path, *args: str) -> list[str]:
    """The sorted ``path:CODE`` pairs of the findings."""
    code, found, stderr = concise(cwd, *args)
    assert code in (0, 1), stderr
    pairs = [line.split(": ", 1) for line in found]
    return sorted(f"{place.split(':')[0]}:{rest.split()[0]}" for place, rest in pairs)


def test_nearest_configuration_wins_without_merging(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "rtlint.toml": 'ignore = ["RT001"]\n',
            "top.py": UNGUARDED,
            "inner/pyproject.toml": '[tool.rtlint]\nselect = ["RT001"]\n',
            "inner/deep/nested.py": UNGUARDED,
            "plain/pyproject.toml": '[project]\nname = "plain"\n',
            "plain/module.py": UNGUARDED,
        },
    )
    assert _concise(tmp_path, ".") == ["inner/deep/nested.py:RT001"]
    assert _concise(tmp_path / "plain", ".") == [], "a pyproject without [tool.rtlint] is skipped"
    assert _concise(tmp_path / "inner", "deep/nested.py") == ["deep/nested.py:RT001"]


def test_a_nested_configuration_governs_the_walk_below_it(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "rtlint.toml": 'extend-exclude = ["old"]\n',
            "a/old/x.py": UNGUARDED,
            "inner/rtlint.toml": 'extend-exclude = ["gen"]\n',
            "inner/old/y.py": UNGUARDED,  # the top configuration's exclude is not merged in
            "inner/deep/gen/z.py": UNGUARDED,
            "inner/deep/ok.py": UNGUARDED,
            "inner/deep/.gitignore": "ignored.py\n",
            "inner/deep/more/ignored.py": UNGUARDED,
            "inner/deep/more/kept.py": UNGUARDED,
        },
    )
    assert _concise(tmp_path, ".") == [
        "inner/deep/more/kept.py:RT001",
        "inner/deep/ok.py:RT001",
        "inner/old/y.py:RT001",
    ]


def test_dot_rtlint_toml_comes_first_in_a_directory(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            ".rtlint.toml": 'ignore = ["RT001"]\n',
            "pyproject.toml": '[tool.rtlint]\nselect = ["RT001"]\n',
            "a.py": UNGUARDED,
        },
    )
    assert _concise(tmp_path, ".") == []


def test_config_option_overrides_and_isolated_ignores(tmp_path: Path) -> None:
    write(
        tmp_path,
        {"rtlint.toml": 'ignore = ["RT001"]\n', "other.toml": "select = []\n", "a.py": UNGUARDED},
    )
    assert _concise(tmp_path, ".") == []
    assert _concise(tmp_path, "--isolated", ".") == ["a.py:RT001"]
    assert _concise(tmp_path, "--config", "other.toml", ".") == []
    assert _concise(tmp_path, "--config", "other.toml", "--extend-select", "RT001", ".") == [
        "a.py:RT001"
    ]


def test_command_line_selection_is_applied_after_the_file(tmp_path: Path) -> None:
    write(tmp_path, {"rtlint.toml": 'ignore = ["RT001"]\n', "a.py": UNGUARDED})
    assert _concise(tmp_path, "--select", "RT001", ".") == ["a.py:RT001"]
    assert _concise(tmp_path, "--isolated", "--select", "RT", "--ignore", "RT001", ".") == []
    assert _concise(tmp_path, "--isolated", "--ignore", "unguarded-response-create", ".") == []
    assert _concise(tmp_path, "--isolated", "--select", "RT100,RT001", ".") == ["a.py:RT001"]


def test_per_file_ignores(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": (
                '[tool.rtlint.per-file-ignores]\n"tests/**" = ["unguarded-response-create"]\n'
            ),
            "src/a.py": UNGUARDED,
            "tests/test_a.py": UNGUARDED,
        },
    )
    assert _concise(tmp_path, ".") == ["src/a.py:RT001"]


def test_exclude_extend_exclude_include_and_force_exclude(tmp_path: Path) -> None:
    files = {
        "src/a.py": UNGUARDED,
        "src/b.ts": "export const x = 1;\n",
        "generated/g.py": UNGUARDED,
    }
    files |= {"node_modules/pkg/n.py": UNGUARDED}
    write(tmp_path, files | {"rtlint.toml": 'extend-exclude = ["generated"]\n'})
    assert _concise(tmp_path, ".") == ["src/a.py:RT001"]
    assert _concise(tmp_path, "generated/g.py") == ["generated/g.py:RT001"]
    assert _concise(tmp_path, "--force-exclude", "generated/g.py", "src/a.py") == ["src/a.py:RT001"]
    assert _concise(tmp_path, "--exclude", "src/a.py", ".") == []

    write(tmp_path, {"rtlint.toml": 'exclude = ["generated"]\ninclude = ["*.py"]\n'})
    assert _concise(tmp_path, ".") == ["node_modules/pkg/n.py:RT001", "src/a.py:RT001"]


def test_vocabulary_extends_and_replaces_the_defaults(tmp_path: Path) -> None:
    write(tmp_path, {"a.py": BUSY_GUARD})
    assert _concise(tmp_path, ".") == ["a.py:RT001"]
    write(tmp_path, {"rtlint.toml": '[vocabulary]\nextend-active-flags = ["busy_now"]\n'})
    assert _concise(tmp_path, ".") == []
    write(tmp_path, {"rtlint.toml": '[vocabulary]\nactive-flags = ["busyNow"]\n'})
    assert _concise(tmp_path, ".") == []
    write(tmp_path, {"rtlint.toml": '[vocabulary]\nactive-flags = ["something_else"]\n'})
    assert _concise(tmp_path, ".") == ["a.py:RT001"]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "pyproject.toml",
            '[tool.rtlint]\nselcet = ["RT001"]\n',
            "pyproject.toml: tool.rtlint.selcet: unknown key (did you mean `select`?)",
        ),
        (
            "pyproject.toml",
            '[tool.rtlint]\nselect = "RT001"\n',
            "pyproject.toml: tool.rtlint.select: expected a list of strings, got a string",
        ),
        (
            "rtlint.toml",
            "exclude = [1]\n",
            "rtlint.toml: exclude: expected a list of strings, got an item that is an integer",
        ),
        ("rtlint.toml", 'ignore = ["RT9"]\n', "rtlint.toml: ignore: unknown rule selector `RT9`"),
        (
            "rtlint.toml",
            '[per-file-ignores]\n"tests/*" = "RT001"\n',
            'rtlint.toml: per-file-ignores."tests/*": expected a list of strings, got a string',
        ),
        (
            "rtlint.toml",
            'per-file-ignores = ["tests"]\n',
            "rtlint.toml: per-file-ignores: expected a table of glob = [rules], got a list",
        ),
        (
            ".rtlint.toml",
            '[vocabulary]\nactive-flag = ["busy"]\n',
            ".rtlint.toml: vocabulary.active-flag: unknown key (did you mean `active-flags`?)",
        ),
        (
            ".rtlint.toml",
            "[vocabulary]\nextend-send-words = true\n",
            ".rtlint.toml: vocabulary.extend-send-words: expected a list of strings, got a boolean",
        ),
        (
            "pyproject.toml",
            "tool.rtlint = 3\n",
            "pyproject.toml: tool.rtlint: expected a table, got an integer",
        ),
        ("rtlint.toml", "select = [\n", "rtlint.toml: invalid TOML: "),
    ],
)
def test_bad_configuration_is_one_line_naming_file_and_key(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    write(tmp_path, {name: text, "a.py": UNGUARDED})
    for args in (("check", "."), ("config",)):
        result = rtlint(*args, cwd=tmp_path)
        assert result.exit_code == 2, result.output
        assert result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert line.startswith(f"rtlint: error: {tmp_path / name}: ")
        assert message in line


def test_config_file_errors(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": "[project]\n", "a.py": UNGUARDED})
    missing = rtlint("check", "--config", "nope.toml", ".", cwd=tmp_path)
    assert (missing.exit_code, missing.stderr) == (
        2,
        "rtlint: error: nope.toml: --config: no such file\n",
    )
    no_table = rtlint("check", "--config", "pyproject.toml", ".", cwd=tmp_path)
    assert no_table.exit_code == 2 and "has no [tool.rtlint] table" in no_table.stderr
    both = rtlint("check", "--config", "pyproject.toml", "--isolated", ".", cwd=tmp_path)
    assert both.exit_code == 2 and "exclude each other" in both.stderr


def test_unknown_command_line_selector_is_a_usage_error(tmp_path: Path) -> None:
    result = rtlint("check", "--select", "RT001,XX9", ".", cwd=tmp_path)
    assert (result.exit_code, result.stderr) == (
        2,
        "rtlint: error: --select: unknown rule selector `XX9`\n",
    )


def test_config_command_prints_the_resolved_configuration(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pyproject.toml": (
                '[tool.rtlint]\nextend-exclude = ["gen"]\nignore = ["RT100"]\n'
                '[tool.rtlint.per-file-ignores]\n"tests/**" = ["RT001"]\n'
                '[tool.rtlint.vocabulary]\nextend-terminal-events = ["response.cancelled"]\n'
            ),
            "sub/rtlint.toml": "select = []\n",
        },
    )
    result = rtlint("config", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"# configuration file: {tmp_path / 'pyproject.toml'}"
    assert 'extend-exclude = ["gen"]' in lines
    stable = [r.code for r in all_rules() if r.code != "RT100" and not r.preview]
    assert "select = [" + ", ".join(f'"{c}"' for c in stable) + "]" in lines
    assert "preview = false" in lines
    assert '"tests/**" = ["RT001"]' in lines
    assert 'terminal-events = ["response.cancelled", "response.done"]' in lines
    assert any(line.startswith("active-flags = [") for line in lines)

    import tomllib

    assert tomllib.loads(result.stdout)["select"] == stable, "the output is TOML"
    nested = rtlint("config", "sub", cwd=tmp_path)
    assert f"# configuration file: {tmp_path / 'sub' / 'rtlint.toml'}" in nested.stdout
    assert "select = []" in nested.stdout.splitlines()
    isolated = rtlint("config", "--isolated", cwd=tmp_path)
    assert isolated.stdout.startswith("# configuration file: none (defaults)")


README_VOCABULARY = """\
import json


class Adapter:
    async def flag(self):
        if self.busy_with_reply:
            return
        await self.ws.send(json.dumps({"type": "response.create"}))

    async def predicate(self):
        if self.may_reply():
            await self.ws.send(json.dumps({"type": "response.create"}))

    async def helper(self):
        await self.kick_off_reply()

    async def greeting(self, event):
        if event["type"] == "call.connected":
            await self.ws.send(json.dumps({"type": "response.create"}))
"""


def test_readme_configuration_example_does_what_it_says(tmp_path: Path) -> None:
    import re

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1]
    block = re.search(r"```toml\n(.*?)```", section, re.S)
    assert block
    write(tmp_path, {"pyproject.toml": block.group(1), "a.py": README_VOCABULARY})
    configured = rtlint("check", "--output-format", "concise", "a.py", cwd=tmp_path).stdout
    assert [line.split(":")[1] for line in configured.splitlines()[:-1]] == ["15"]
    isolated = rtlint("check", "--isolated", "--output-format", "concise", "a.py", cwd=tmp_path)
    assert [line.split(":")[1] for line in isolated.stdout.splitlines()[:-1]] == ["8", "12", "19"]
