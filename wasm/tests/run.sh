#!/usr/bin/env bash
# The package's tests, against the BUILT package in wasm/pkg/ (run wasm/build.sh first):
# Node (direct mode), headless Chromium (relay mode) and the example page, each starting
# `webwx sim` and `webwx relay` as processes of their own on 127.0.0.1. Installs Debian's
# chromium + chromium-driver (and a CJK font for the screenshot) when missing.
set -euo pipefail
cd "$(dirname "$0")/../.."

[ -f wasm/pkg/webwx_wasm.js ] || { echo "wasm/pkg is missing: run wasm/build.sh" >&2; exit 1; }
command -v node >/dev/null || { echo "node (>= 20) is needed" >&2; exit 1; }

# Debian's chromium + chromium-driver and a CJK font, when missing (shared with the
# gateway's page test).
scripts/install-chromium

cargo build -q -p webwx-cli
export WEBWX_BIN="$PWD/target/debug/webwx"
mkdir -p target/artifacts
node --test --test-concurrency=1 \
  wasm/tests/node.test.mjs wasm/tests/chromium.test.mjs wasm/tests/example.test.mjs
