"""The project model: imports, constants, summaries across files, and the cache keyed on them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rtlint import engine
from rtlint.analysis import project_index
from rtlint.analysis.imports import Import, scan_constants, scan_imports
from rtlint.analysis.project_index import ProjectIndex, RunPlan
from rtlint.engine import Settings, check_files
from rtlint.registry import all_rules
from rtlint.sdk import load_tables
from rtlint.vocabulary import DEFAULT

HELPER_SENDS = """import json


async def send_event(ws, event):
    await ws.send(json.dumps(event))
"""
HELPER_DEFERS = """import json

_response_active = False


async def send_event(ws, event):
    if _response_active:
        return
    await ws.send(json.dumps(event))
"""
CALLER = """from .helpers import send_event


async def greet(ws):
    await send_event(ws, {"type": "response.create"})
"""


def test_imports_of_both_languages_are_scanned() -> None:
    python = b"from .a import (x,\n    y as z)\nimport pkg.mod as m\nimport os\n"
    assert scan_imports("f.py", python) == [
        Import(".a", "x", "x"), Import(".a", "y", "z"), Import("pkg.mod", None, "m"),
        Import("os", None, "os"),
    ]  # fmt: skip
    ts = (
        b'import Def, { a, b as c } from "./x.js";\n'
        b'export { d } from "../y";\nimport * as ns from "z";\n'
    )
    assert set(scan_imports("f.ts", ts)) == {
        Import("./x.js", "a", "a"), Import("./x.js", "b", "c"), Import("./x.js", "default", "Def"),
        Import("../y", "d", "d"), Import("z", None, "ns"),
    }  # fmt: skip


def test_constants_in_enums_classes_and_modules() -> None:
    source = (
        b'class Ev(str, Enum):\n    OTHER = "x"\n    CREATE = "response.create"\n\n'
        b'RC = "response.create"\n'
    )
    assert scan_constants(source) == {
        ("Ev", "CREATE"): "response.create",
        ("RC",): "response.create",
    }
    ts = b'export enum EventType {\n  Create = "response.create",\n}\n'
    assert scan_constants(ts) == {("EventType", "Create"): "response.create"}


def test_summaries_are_parameter_aware_and_resolved_through_imports(tmp_path: Path) -> None:
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "helpers.py").write_text(HELPER_SENDS)
    (tmp_path / "app.py").write_text(CALLER)
    index = ProjectIndex(DEFAULT, [tmp_path / "helpers.py", tmp_path / "app.py"])
    summary = index.view(tmp_path / "app.py").functions[("send_event",)]
    assert summary.params == ("ws", "event") and summary.sends == {"event"}
    (tmp_path / "helpers.py").write_text(HELPER_DEFERS)
    index = ProjectIndex(DEFAULT, [tmp_path / "helpers.py", tmp_path / "app.py"])
    summary = index.view(tmp_path / "app.py").functions[("send_event",)]
    assert summary.defers_params == {"event"} and not summary.sends


def test_editing_a_helper_in_another_file_rechecks_its_callers(tmp_path: Path) -> None:
    (tmp_path / "__init__.py").write_text("")
    helper, caller = tmp_path / "helpers.py", tmp_path / "app.py"
    helper.write_text(HELPER_SENDS)
    caller.write_text(CALLER)
    settings = Settings(rules=all_rules(), cache_dir=str(tmp_path / "cache"))

    def findings() -> list[str]:
        results = check_files([helper, caller], settings, jobs=1)
        return [f"{Path(r.path).name}:{d.span.line}" for r in results for d in r.diagnostics]

    assert findings() == ["app.py:5"]
    assert findings() == ["app.py:5"]  # warm
    helper.write_text(HELPER_DEFERS)  # the caller's bytes did not change
    assert findings() == []
    helper.write_text(HELPER_SENDS)
    assert findings() == ["app.py:5"]


def test_sdk_entries_from_the_configuration(tmp_path: Path) -> None:
    app = tmp_path / "app.py"
    app.write_text(
        "from acme_voice.client import VoiceClient\n\n\n"
        "class Bot:\n"
        "    def __init__(self):\n"
        "        self.client = VoiceClient()\n\n"
        "    def on_text(self):\n"
        "        self.client.reply_now()\n"
    )
    vocab = DEFAULT.extend(sdk_emitters=["acme_voice.client:VoiceClient.reply_now"])
    configured = Settings(rules=all_rules(), vocab=vocab)
    assert [d.span.line for d in check_files([app], configured, jobs=1)[0].diagnostics] == [9]
    assert check_files([app], Settings(rules=all_rules()), jobs=1)[0].diagnostics == []


def test_configured_sdk_methods_of_one_class_add_up_and_keep_the_table() -> None:
    vocab = DEFAULT.extend(
        sdk_emitters=["acme_voice:VoiceClient.reply_now", "acme_voice:VoiceClient.nudge"],
        sdk_fresh=["acme_voice:VoiceClient.reconnect"],
    )
    tables = load_tables(vocab)
    configured = tables.lookup("acme_voice", "VoiceClient")
    assert configured is not None
    assert [m for m, s in configured.methods if s.emits] == ["nudge", "reply_now"]
    assert [m for m, s in configured.methods if s.fresh] == ["reconnect"]
    builtin = load_tables(DEFAULT)
    module, cls = next((m, c) for m, classes in builtin.by_module.items() for c in classes)
    before = builtin.lookup(module, cls)
    extended = load_tables(DEFAULT.extend(sdk_emitters=[f"{module}:{cls}.extra_send"]))
    after = extended.lookup(module, cls)
    assert before is not None and after is not None
    assert set(before.methods) < set(after.methods)
    assert after.sdk == before.sdk


def _sdk_in_the_tree(root: Path, method_body: str, **table: list[str]) -> list[int]:
    """Lines flagged in an app that calls ``VoiceClient.reply_now`` of a package in the tree
    (whose body is ``method_body``), with ``table`` (an SDK table entry) configured."""
    package = root / "acme_voice"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "client.py").write_text(
        "class VoiceClient:\n    async def reply_now(self):\n" + method_body
    )
    app = root / "app.py"
    app.write_text(
        "from acme_voice.client import VoiceClient\n\n\n"
        "class Bot:\n"
        "    def __init__(self):\n"
        "        self.client = VoiceClient()\n\n"
        "    async def on_text(self):\n"
        "        await self.client.reply_now()\n"
    )
    vocab = DEFAULT.extend(**table)
    results = check_files([app], Settings(rules=all_rules(), vocab=vocab), jobs=1)
    return [d.span.line for d in results[0].diagnostics]


SENDS = '        await self._ws.send_json({"type": "response.create"})\n'
TABLED = ["acme_voice.client:VoiceClient.reply_now"]


def test_sdk_source_in_the_tree_wins_over_the_table(tmp_path: Path) -> None:
    defers = "        if self._response_active:\n            self._pending = True\n"
    defers += "            return\n" + SENDS
    # The source defers: the table's claim that the method sends is overruled.
    assert _sdk_in_the_tree(tmp_path, defers, sdk_emitters=TABLED) == []


def test_sdk_source_in_the_tree_that_sends_overrules_a_table_that_defers(tmp_path: Path) -> None:
    assert _sdk_in_the_tree(tmp_path, SENDS, sdk_deferrers=TABLED) == [9]


FACTORY_CREATES = 'def reply():\n    return {"type": "response.create"}\n'
FACTORY_OTHER = 'def reply():\n    return {"type": "conversation.item.create"}\n'
JOINER = """import json

from .factory import reply


class Bot:
    async def on_text(self):
        await self.ws.send(json.dumps(reply()))
"""


def test_a_file_the_prefilter_skips_is_rechecked_when_its_factory_changes(tmp_path: Path) -> None:
    (tmp_path / "__init__.py").write_text("")
    factory, bot = tmp_path / "factory.py", tmp_path / "bot.py"
    factory.write_text(FACTORY_CREATES)
    bot.write_text(JOINER)  # it never spells the event: only the factory makes it a create
    settings = Settings(rules=all_rules(), cache_dir=str(tmp_path / "cache"))

    def findings() -> list[str]:
        results = check_files([factory, bot], settings, jobs=1)
        return [f"{Path(r.path).name}:{d.span.line}" for r in results for d in r.diagnostics]

    assert findings() == ["bot.py:8"]
    factory.write_text(FACTORY_OTHER)
    assert findings() == []
    factory.write_text(FACTORY_CREATES)
    assert findings() == ["bot.py:8"]


def test_only_definitions_that_can_matter_are_analysed(tmp_path: Path) -> None:
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "util.py").write_text(
        "def add_one(x):\n    return x + 1\n\n\ndef send_event(ws, event):\n    ws.send(event)\n"
    )
    app = tmp_path / "app.py"
    app.write_text(
        "from .util import add_one\n\n\n"
        "def go(ws):\n    ws.send({'type': 'response.create', 'n': add_one(1)})\n"
    )
    index = ProjectIndex(DEFAULT)
    index.view(app)
    assert not index._models  # add_one cannot send, build or test anything: no parse
    app.write_text(app.read_text().replace("add_one", "send_event"))
    index = ProjectIndex(DEFAULT)
    assert index.view(app).functions[("send_event",)].sends == {"event"}


def test_a_cached_plan_is_made_again_when_a_skipped_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "PLAN_CACHE_MIN_BYTES", 0)
    made: list[int] = []
    real = project_index.Planner.plan

    def counted(*args: Any) -> RunPlan:
        made.append(1)
        return real(*args)

    monkeypatch.setattr(project_index.Planner, "plan", counted)
    (tmp_path / "__init__.py").write_text("")
    factory, bot = tmp_path / "factory.py", tmp_path / "bot.py"
    factory.write_text(FACTORY_CREATES)
    bot.write_text("import json\n")  # imports nothing from the factory yet
    settings = Settings(rules=all_rules(), cache_dir=str(tmp_path / "cache"))

    def findings() -> list[str]:
        results = check_files([factory, bot], settings, jobs=1)
        return [f"{Path(r.path).name}:{d.span.line}" for r in results for d in r.diagnostics]

    assert findings() == [] and len(made) == 1
    assert findings() == [] and len(made) == 1  # the plan came from the cache
    bot.write_text(JOINER)
    assert findings() == ["bot.py:8"] and len(made) == 2
