#!/usr/bin/env bash
# Installs extra Node.js majors from the npm registry's `node` package (it ships the binaries) into
# .rigs/node-<major>/, so suites can run on the versions users have. Usage: bash .ci/install-node.sh 22 24
# Prints nothing when they are already there. Each gives .rigs/node-<major>/node_modules/.bin/node.
set -euo pipefail
cd "$(dirname "$0")/.."
for major in "$@"; do
  dir=.rigs/node-$major
  bin=$dir/node_modules/.bin/node
  if [ -x "$bin" ] && "$bin" --version | grep -q "^v$major\."; then continue; fi
  echo "Installing Node $major from the npm registry into $dir"
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"private":true}' >"$dir/package.json"
  npm install --prefix "$dir" --no-audit --no-fund --silent "node@$major" >/dev/null
  "$bin" --version >/dev/null
done
