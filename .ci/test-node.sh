#!/usr/bin/env bash
# Runs the CLI's suites, and through them each generated project's own tests, on other Node majors: the ones
# .ci/install-node.sh put in .rigs/ (`npm run test:all` installs them). Usage: bash .ci/test-node.sh 22 24
# That Node comes first on PATH, so the CLI the suites spawn, `npm test` in a generated proxy and its
# `node --test` all run on it. The Chromium and WordPress suites are left out (see vitest.config.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
for major in "$@"; do
  bin=$PWD/.rigs/node-$major/node_modules/.bin
  [ -x "$bin/node" ] || { echo "Node $major is missing: bash .ci/install-node.sh $major" >&2; exit 1; }
  echo "Node $("$bin/node" --version): the CLI's suites and the generated projects' own tests"
  PATH="$bin:$PATH" BYOK_NODE_SUITES_ONLY=1 "$bin/node" node_modules/vitest/vitest.mjs run
done
