#!/usr/bin/env bash
# What the test suites need beyond Node and npm, installed from Debian 12: Chromium (browser pattern), WordPress +
# PHP + MariaDB + PHPUnit (WordPress pattern; WordPress 7 beside Debian 12's 6.1, see its block below), Redis (the proxy's shared rate limits), Python 3 (the pseudo-terminal
# tests), git, zip. Idempotent: quick when everything is there. Needs root, or sudo (used only for apt-get).
#
#   bash .ci/install-rigs.sh           install what is missing, then check
#   bash .ci/install-rigs.sh --check   install nothing; print one line naming what is missing (exit 1), or nothing
#
# `npm test` runs the check first (test/support/rigs.ts), so a missing rig stops the run before any suite starts.
# To add a rig: its Debian packages to `packages`, and one `need` line saying how to tell it is there.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
# mariadbd lives in /usr/sbin, which is not on a normal user's PATH.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

packages=(
  chromium
  wordpress wordpress-theme-twentytwentythree php-cli php-mysql php-xml php-mbstring php-curl mariadb-server phpunit
  redis-server
  python3 curl git zip unzip procps
)

# Where the WordPress suites find WordPress 7 (test/support/wordpress-rig.ts reads the same variable).
WP7_CORE=${WP7_CORE:-/usr/share/wordpress-7}

missing=()
# need <name shown when missing> <test that it is there...>
need() {
  local name=$1
  shift
  "$@" >/dev/null 2>&1 || missing+=("$name")
}
has() { command -v "$1"; }
check_rigs() {
  missing=()
  need chromium test -x /usr/bin/chromium
  need php has php
  if has php >/dev/null; then
    for extension in mysqli:php-mysql xml:php-xml mbstring:php-mbstring curl:php-curl; do
      need "${extension#*:}" php -r "exit(extension_loaded('${extension%%:*}') ? 0 : 1);"
    done
  fi
  need phpunit test -x /usr/bin/phpunit
  need mariadb-server has mariadbd
  need mariadb-install-db has mariadb-install-db
  need wordpress test -f /usr/share/wordpress/wp-includes/version.php
  need wordpress-theme-twentytwentythree test -d /usr/share/wordpress/wp-content/themes/twentytwentythree
  need "WordPress 7 in $WP7_CORE" grep -qs "wp_version = '7\." "$WP7_CORE/wp-includes/version.php"
  need redis-server has redis-server
  need python3 has python3
  need curl has curl
  need setsid has setsid
  need git has git
  need zip has zip
  need unzip has unzip
  for major in $NODE_MAJORS; do
    need "Node $major in .rigs/" sh -c ".rigs/node-$major/node_modules/.bin/node --version | grep -q '^v$major\\.'"
  done
}

# The Node majors the suites also run on (.ci/test-node.sh) and that wrangler needs (22): no root needed for these.
NODE_MAJORS="22 24"

install_command="bash .ci/install-rigs.sh"
[ "$(id -u)" = 0 ] || install_command="sudo $install_command"

if [ "${1:-}" = --check ]; then
  check_rigs
  if [ ${#missing[@]} -gt 0 ]; then
    list=$(printf '%s, ' "${missing[@]}")
    echo "Missing test rigs: ${list%, }. Install them (Debian, root or sudo, a few minutes the first time): $install_command" >&2
    exit 1
  fi
  exit 0
fi

to_install=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || to_install+=("$package")
done
if [ ${#to_install[@]} -gt 0 ]; then
  sudo=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "Installing ${to_install[*]} needs root: run this script as root, or install sudo" >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "Installing from Debian: ${to_install[*]}"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${to_install[@]}" >/dev/null
fi

# --- WordPress 7 core (Connectors, AI Client) for the WordPress suites, beside Debian 12's 6.1 -------------------
# Debian's own package (7.1.x in its unstable archive), fetched through a private apt configuration so the
# machine's sources and installed packages stay as they are: the .debs of wordpress and of the packages its symlinks
# point into (PHPMailer, getID3, jQuery UI, lodash...) are unpacked into a private root, then the tree is copied with
# its links dereferenced to $WP7_CORE. The WordPress suites run against it with WP_CORE=$WP7_CORE. About 30 MB.
if ! grep -qs "wp_version = '7\." "$WP7_CORE/wp-includes/version.php"; then
  as_root=()
  [ "$(id -u)" = 0 ] || as_root=(sudo)
  wp7_work=${WP7_WORK:-/var/cache/create-byok/wordpress-7}
  echo "Installing WordPress 7 from Debian's archive into $WP7_CORE"
  "${as_root[@]}" mkdir -p "$wp7_work/lists/partial" "$wp7_work/debs"
  "${as_root[@]}" chmod 755 "$wp7_work" "$wp7_work/debs"
  echo "deb http://deb.debian.org/debian sid main" | "${as_root[@]}" tee "$wp7_work/sources.list" >/dev/null
  wp7_apt=(-o Dir::Etc::sourcelist="$wp7_work/sources.list" -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$wp7_work/lists"
    -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
  "${as_root[@]}" apt-get "${wp7_apt[@]}" update -qq
  "${as_root[@]}" rm -f "$wp7_work"/debs/*.deb
  (cd "$wp7_work/debs" && "${as_root[@]}" apt-get "${wp7_apt[@]}" download -qq wordpress libphp-phpmailer php-getid3 \
    libjs-jquery-ui libjs-lodash libjs-underscore libjs-cropper)
  "${as_root[@]}" rm -rf "$wp7_work/root"
  "${as_root[@]}" mkdir -p "$wp7_work/root"
  for deb in "$wp7_work"/debs/*.deb; do "${as_root[@]}" dpkg-deb -x "$deb" "$wp7_work/root"; done
  "${as_root[@]}" rm -rf "$WP7_CORE.tmp"
  "${as_root[@]}" cp -rL "$wp7_work/root/usr/share/wordpress" "$WP7_CORE.tmp"
  "${as_root[@]}" rm -f "$WP7_CORE.tmp/wp-config.php" # Debian's reads /etc/wordpress; the rig writes its own
  "${as_root[@]}" rm -rf "$WP7_CORE"
  "${as_root[@]}" mv "$WP7_CORE.tmp" "$WP7_CORE"
fi

# --- Node 22 and 24 from the npm registry, into .rigs/ (as the user running this, not root) --------------------
bash .ci/install-node.sh $NODE_MAJORS

# A missing rig is an error, never a silently skipped suite.
check_rigs
if [ ${#missing[@]} -gt 0 ]; then
  echo "Still missing after the install: ${missing[*]}" >&2
  exit 1
fi
