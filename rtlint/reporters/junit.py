"""JUnit XML: a test suite per file, a failing test case per finding (for CI test reports)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from rtlint.reporters.report import Report, relative


def render(report: Report) -> str:
    total = len(report.diagnostics)
    suites = ET.Element("testsuites", name="rtlint", tests=str(total), failures=str(total))
    if not report.diagnostics:
        suite = ET.SubElement(suites, "testsuite", name="rtlint", tests="1", failures="0")
        ET.SubElement(suite, "testcase", name="No problems found", classname="rtlint")
    for path, group in groupby(report.diagnostics, key=lambda d: d.path):
        found = list(group)
        name = relative(path)
        suite = ET.SubElement(
            suites, "testsuite", name=name, tests=str(len(found)), failures=str(len(found))
        )
        for d in found:
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"rtlint.{d.code}",
                classname=name,
                file=name,
                line=str(d.span.line),
            )
            failure = ET.SubElement(case, "failure", message=d.message, type=d.code)
            failure.text = f"{name}:{d.span.line}:{d.span.column}: {d.code} {d.message}"
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, "unicode") + "\n"
