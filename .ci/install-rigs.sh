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

# --- WordPress 7 core (Connectors, AI Client) for the WordPress suites, beside Debian 12's 6.1 -------------------
# Debian's own package (7.1.x in its unstable archive), fetched through a private apt configuration so the
# machine's sources and installed packages stay as they are: the .debs of wordpress and of the packages its symlinks
# point into (PHPMailer, getID3, jQuery UI, lodash...) are unpacked into a private root, then the tree is copied with
# its links dereferenced to $WP7_CORE. The WordPress suites run against it with WP_CORE=$WP7_CORE. About 30 MB.
WP7_CORE=${WP7_CORE:-/usr/share/wordpress-7}
WP7_WORK=${WP7_WORK:-/var/cache/create-byok/wordpress-7}
if ! grep -qs "wp_version = '7\." "$WP7_CORE/wp-includes/version.php"; then
  mkdir -p "$WP7_WORK/lists/partial" "$WP7_WORK/debs" && chmod 755 "$WP7_WORK" "$WP7_WORK/debs"
  echo "deb http://deb.debian.org/debian sid main" >"$WP7_WORK/sources.list"
  wp7_apt=(-o Dir::Etc::sourcelist="$WP7_WORK/sources.list" -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$WP7_WORK/lists"
    -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
  apt-get "${wp7_apt[@]}" update -qq
  rm -f "$WP7_WORK"/debs/*.deb
  (cd "$WP7_WORK/debs" && apt-get "${wp7_apt[@]}" download -qq wordpress libphp-phpmailer php-getid3 libjs-jquery-ui \
    libjs-lodash libjs-underscore libjs-cropper)
  rm -rf "$WP7_WORK/root" && mkdir -p "$WP7_WORK/root"
  for deb in "$WP7_WORK"/debs/*.deb; do dpkg-deb -x "$deb" "$WP7_WORK/root"; done
  rm -rf "$WP7_CORE.tmp" && cp -rL "$WP7_WORK/root/usr/share/wordpress" "$WP7_CORE.tmp"
  rm -f "$WP7_CORE.tmp/wp-config.php"   # Debian's reads /etc/wordpress; the rig writes its own
  rm -rf "$WP7_CORE" && mv "$WP7_CORE.tmp" "$WP7_CORE"
fi
grep -qs "wp_version = '7\." "$WP7_CORE/wp-includes/version.php" || { echo "missing WordPress 7 in $WP7_CORE after install" >&2; exit 1; }
echo "WordPress $(sed -n "s/^\$wp_version = '\(.*\)';/\1/p" "$WP7_CORE/wp-includes/version.php") in $WP7_CORE"
