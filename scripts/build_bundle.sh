#!/usr/bin/env bash
# Build the packaged executable (one folder) into dist/convviz/.  Run after scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pip --disable-pip-version-check install -q "pyinstaller>=6.10"
.venv/bin/pyinstaller packaging/convviz.spec --noconfirm --log-level WARN \
    --distpath "${DIST:-dist}" --workpath "${WORK:-build/pyinstaller}"
echo "built ${DIST:-dist}/convviz ($(du -sh "${DIST:-dist}/convviz" | cut -f1))"
