#!/usr/bin/env bash
# Installs what the end-to-end suites need from Debian: Chromium (browser pattern), WordPress + PHP + MariaDB +
# PHPUnit (WordPress pattern), Redis (proxy's shared rate limits). Idempotent: quick when everything is there.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
  chromium
  wordpress wordpress-theme-twentytwentythree php-cli php-mysql php-xml php-mbstring php-curl mariadb-server phpunit
  redis-server
  curl git zip unzip
)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing from Debian: ${missing[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# A missing rig is an error, never a silently skipped suite.
for command in chromium php mariadbd mariadb-install-db redis-server phpunit git zip unzip; do
  command -v "$command" >/dev/null || { echo "missing $command after install" >&2; exit 1; }
done
