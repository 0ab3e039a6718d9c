#!/usr/bin/env python3
"""Update the Simplified Chinese translation: pyside6-lupdate collects every tr() string of the
UI into resources/translations/convviz_zh_CN.ts, the translations in zh_CN.json are filled in,
and pyside6-lrelease compiles the .qm the app loads.

    .venv/bin/python scripts/translations.py          # update .ts and .qm
    .venv/bin/python scripts/translations.py --check  # exit 1 if a string lacks a translation
"""
from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TS = os.path.join("resources", "translations", "convviz_zh_CN.ts")
QM = os.path.join("resources", "translations", "convviz_zh_CN.qm")
DICT = os.path.join("resources", "translations", "zh_CN.json")


def sources() -> list[str]:
    return sorted(glob.glob("ui/**/*.py", recursive=True)) + sorted(glob.glob("convviz/*.py"))


def tool(name: str) -> str:
    here = os.path.join(os.path.dirname(sys.executable), f"pyside6-{name}")
    return here if os.path.exists(here) else (shutil.which(f"pyside6-{name}") or f"pyside6-{name}")


def lupdate(ts_path: str) -> None:
    subprocess.run([tool("lupdate"), *sources(), "-no-obsolete", "-locations", "none", "-ts", ts_path],
                   cwd=ROOT, check=True, capture_output=True)


def messages(ts_path: str):
    tree = ET.parse(os.path.join(ROOT, ts_path))
    for ctx in tree.getroot().iter("context"):
        for m in ctx.iter("message"):
            yield ctx.findtext("name") or "", m


def fill(ts_path: str, table: dict) -> list[str]:
    """Write the translations into the .ts; returns the sources with none."""
    full = os.path.join(ROOT, ts_path)
    tree = ET.parse(full)
    root = tree.getroot()
    root.set("language", "zh_CN")
    missing = []
    for ctx in root.iter("context"):
        for m in ctx.iter("message"):
            src = m.findtext("source")
            t = m.find("translation")
            if src in table:
                t.text = table[src]
                t.attrib.pop("type", None)
            else:
                missing.append(src)
    tree.write(full, encoding="utf-8", xml_declaration=True)
    return missing


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    with open(os.path.join(ROOT, DICT), encoding="utf-8") as f:
        table = json.load(f)
    if "--check" in argv:
        with tempfile.TemporaryDirectory() as tmp:
            probe = os.path.join(tmp, "probe.ts")
            lupdate(probe)
            found = {m.findtext("source") for _, m in messages(probe)}
        missing, unused = sorted(found - set(table)), sorted(set(table) - found)
        for s in missing:
            print(f"no translation: {s!r}")
        for s in unused:
            print(f"translation of a string the UI no longer has: {s!r}")
        return 1 if missing or unused else 0
    lupdate(TS)
    missing = fill(TS, table)
    # compiled beside and then renamed over: a running app (or test) maps the .qm it loaded, and
    # rewriting that file in place under it can kill it with a bus error
    tmp_qm = QM + ".tmp"
    subprocess.run([tool("lrelease"), TS, "-qm", tmp_qm], cwd=ROOT, check=True, capture_output=True)
    os.replace(os.path.join(ROOT, tmp_qm), os.path.join(ROOT, QM))
    for s in missing:
        print(f"no translation: {s!r}")
    print(f"{TS}: {sum(1 for _ in messages(TS))} strings, {len(missing)} without a translation; wrote {QM}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
