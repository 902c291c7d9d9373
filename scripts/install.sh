#!/usr/bin/env bash
# Create .venv (if missing) and install the project with its test tools, offline-safe:
# torch is pinned and installed first, so that pip never pulls a multi-GB CUDA build.
# --with-browser also installs Debian's Chromium and CJK fonts for the browser tests;
# --with-milvus also installs the Milvus backend's extra (pymilvus, milvus-lite).
set -euo pipefail
cd "$(dirname "$0")/.."
browser=0
extras="test"
for flag in "$@"; do
  case "$flag" in
    --with-browser) browser=1 ;;
    --with-milvus) extras="test,milvus" ;;
    *) echo "unknown option $flag: use --with-browser and/or --with-milvus" >&2; exit 2 ;;
  esac
done
if [ "$browser" = 1 ]; then
  if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "noto sans cjk"; then
    sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver fonts-noto-cjk
  fi
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet torch==2.13.0
.venv/bin/python -m pip install --quiet -e ".[$extras]"
