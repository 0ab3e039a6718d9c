#!/usr/bin/env bash
# Set up convviz in ./.venv.  `bash scripts/setup.sh` for the app, `--test` adds the test tools
# and the models extra (torchvision, onnx) the tests of real networks use; `--models` adds only
# that extra to the app.
#
# torch goes in first and on its own: on this kind of Linux machine the default torch wheel is
# the CUDA build (several GB), while `torch==2.13.0` is the CPU build.  An already installed
# torch of any build is kept, so a user's own CUDA or Apple build is never replaced.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
PIP=(.venv/bin/python -m pip --disable-pip-version-check)
if ! .venv/bin/python -c "import torch" >/dev/null 2>&1; then
    echo "setup: installing torch (CPU build 2.13.0 where available)"
    "${PIP[@]}" install -q torch==2.13.0 || "${PIP[@]}" install -q torch
fi
extras=""
if [ "${1:-}" = "--test" ]; then
    extras="[test,models]"
elif [ "${1:-}" = "--package" ]; then
    extras="[test,package]"
elif [ "${1:-}" = "--bench" ]; then
    extras="[test,bench,models]"
elif [ "${1:-}" = "--models" ]; then
    extras="[models]"
fi
# The installed torch is pinned while the rest goes in, so that pip picks the torchvision made
# for it (torchvision pins one torch) and never replaces it (e.g. the CPU build by a CUDA one).
TORCH_PIN="torch==$(.venv/bin/python -c 'import torch; print(torch.__version__.split("+")[0])')"
"${PIP[@]}" install -q -e ".${extras}" "$TORCH_PIN"
echo "setup: ready ($(.venv/bin/python -c 'import torch, PySide6; print("torch", torch.__version__, "/ PySide6", PySide6.__version__)'))"
