"""One JSON object per line (the items of the ``json`` format), for streaming consumers."""

from __future__ import annotations

import json

from rtlint.reporters.json import as_json
from rtlint.reporters.report import Report


def render(report: Report) -> str:
    return "".join(json.dumps(as_json(d), ensure_ascii=False) + "\n" for d in report.diagnostics)
