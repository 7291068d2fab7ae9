#!/usr/bin/env bash
# A real WordPress for the end-to-end tests: Debian's WordPress 6.1 (or the tree WP_CORE names, such as the WordPress
# 7 core .ci/install-rigs.sh puts in /usr/share/wordpress-7) served by `php -S`, on MariaDB in a private data
# directory. No wp-cli (not packaged), no internet. The Debian packages come from .ci/install-rigs.sh.
#
#   [WP_CORE=DIR] wordpress-rig.sh start RIG_DIR WP_PORT   installs and serves http://127.0.0.1:WP_PORT; prints
#                                                          {"url":...} last
#   wordpress-rig.sh stop RIG_DIR            stops what start started there (safe to run again, or on nothing)
#
# start first stops whatever an earlier run left in RIG_DIR, so the rig can always be started again. Users (login,
# password login + "pass"): admin (administrator), editor, author, contributor and subscriber, each in that role.
# Exit codes: 3 = WP_PORT is taken (the caller picks another port), anything else non-zero = broken rig.
#
# Pitfalls this script works around (each cost someone an afternoon):
# - mariadbd runs as user mysql, so every parent directory of its datadir must be traversable by mysql: never
#   under /root, and a mkdtemp directory (mode 0700) needs chmod 755.
# - MariaDB listens on a socket only (--skip-networking): no TCP port to collide with parallel rigs.
# - Debian's /usr/share/wordpress is a tree of symlinks into /etc/wordpress and /var/lib/wordpress, and its
#   wp-config.php reads /etc/wordpress: copy it dereferenced (cp -rL) and write our own wp-config.php.
# - A single-worker `php -S` deadlocks as soon as WordPress requests itself (loopback): PHP_CLI_SERVER_WORKERS=4.
# - `php -S` workers outlive their master: every server is started with setsid and stopped by killing its whole
#   process group. Same for mariadbd.
# - wp-load.php runs at global scope and overwrites globals such as $plugin: the PHP helpers use rig_ names only.
# - opcache is enabled in `php -S` (unlike plain CLI) and caches files for 2 s: revalidate on every request.
# - WP_HTTP_BLOCK_EXTERNAL lets requests to the site's own host through: the fake provider on 127.0.0.1 is reachable,
#   anything on the internet is not.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
helpers="$here/../wordpress/rig"

die() { echo "wordpress-rig: $*" >&2; exit 1; }

# Kills the process group recorded in a pid file (TERM, then KILL after 10 s) and waits until it is gone.
stop_group() {
  local pidfile=$1 pgid i
  [ -f "$pidfile" ] || return 0
  pgid=$(cat "$pidfile")
  rm -f "$pidfile"
  [[ "$pgid" =~ ^[0-9]+$ ]] || return 0
  kill -TERM -- "-$pgid" 2>/dev/null || return 0
  for i in $(seq 1 100); do
    kill -0 -- "-$pgid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL -- "-$pgid" 2>/dev/null || true
}

stop() {
  local rig=$1
  stop_group "$rig/php-server.pid"
  stop_group "$rig/mariadbd.pid"
}

started=0
start() {
  local rig=$1 port=$2
  local url="http://127.0.0.1:$port" sock="$rig/db/mysqld.sock" i
  # Whatever fails below, nothing started here keeps running.
  trap '[ "$started" = 1 ] || stop "'"$rig"'"' EXIT
  for command in php mariadbd mariadb-install-db mariadb mariadb-admin curl setsid; do
    command -v "$command" >/dev/null || die "$command is missing: run .ci/install-rigs.sh"
  done
  local core=${WP_CORE:-/usr/share/wordpress}
  [ -f "$core/wp-includes/version.php" ] || die "no WordPress in $core: run sudo bash .ci/install-rigs.sh"
  case "$(realpath -m "$rig")" in /root|/root/*) die "RIG_DIR must not be under /root (mariadbd runs as mysql)";; esac

  stop "$rig"
  rm -rf "$rig/db" "$rig/wp" "$rig"/*.log
  mkdir -p "$rig/db"
  chmod 755 "$rig"
  chown mysql:mysql "$rig/db"

  # --- MariaDB, private datadir, socket only
  mariadb-install-db --user=mysql --datadir="$rig/db" --auth-root-authentication-method=socket --skip-test-db \
    >"$rig/db-init.log" 2>&1 || { cat "$rig/db-init.log" >&2; die "mariadb-install-db failed"; }
  setsid mariadbd --user=mysql --datadir="$rig/db" --socket="$sock" --pid-file="$rig/db/mysqld.pid" \
    --skip-networking --log-error="$rig/db/err.log" </dev/null >/dev/null 2>&1 &
  echo $! >"$rig/mariadbd.pid" # non-interactive bash: $! is mariadbd itself, leader of its new group
  for i in $(seq 1 150); do mariadb-admin --socket="$sock" ping >/dev/null 2>&1 && break; sleep 0.1; done
  mariadb-admin --socket="$sock" ping >/dev/null 2>&1 || { cat "$rig/db/err.log" >&2; die "mariadbd did not start"; }
  mariadb --socket="$sock" -uroot -e "CREATE DATABASE wp CHARACTER SET utf8mb4;
    CREATE USER 'wp'@'localhost' IDENTIFIED BY 'wp'; GRANT ALL ON wp.* TO 'wp'@'localhost';"

  # --- a standalone WordPress tree
  cp -rL "$core" "$rig/wp"
  rm -f "$rig/wp/wp-config.php"
  # Debian's WordPress 7 package ships no theme: lend it 6.1's default theme (the block editor wants an active one).
  if [ -z "$(ls -A "$rig/wp/wp-content/themes" 2>/dev/null)" ]; then
    mkdir -p "$rig/wp/wp-content/themes"
    cp -rL /usr/share/wordpress/wp-content/themes/twentytwentythree "$rig/wp/wp-content/themes/"
  fi
  mkdir -p "$rig/wp/wp-content/uploads" "$rig/wp/wp-content/mu-plugins"
  # The salts are plain values on lines of their own, so that tests can change one (to see the stored key become
  # undecryptable) with a plain text replacement.
  cat >"$rig/wp/wp-config.php" <<EOF
<?php
define( 'DB_NAME', 'wp' );
define( 'DB_USER', 'wp' );
define( 'DB_PASSWORD', 'wp' );
define( 'DB_HOST', 'localhost:$sock' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
define( 'AUTH_KEY', 'rig-auth-key' );
define( 'SECURE_AUTH_KEY', 'rig-secure-auth-key' );
define( 'LOGGED_IN_KEY', 'rig-logged-in-key' );
define( 'NONCE_KEY', 'rig-nonce-key' );
define( 'AUTH_SALT', 'rig-auth-salt' );
define( 'SECURE_AUTH_SALT', 'rig-secure-auth-salt' );
define( 'LOGGED_IN_SALT', 'rig-logged-in-salt' );
define( 'NONCE_SALT', 'rig-nonce-salt' );
\$table_prefix = 'wp_';
define( 'WP_DEBUG', true );
define( 'WP_DEBUG_LOG', __DIR__ . '/wp-content/debug.log' );
define( 'WP_DEBUG_DISPLAY', false );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'DISABLE_WP_CRON', true );
define( 'FS_METHOD', 'direct' );
if ( ! defined( 'ABSPATH' ) ) {
	define( 'ABSPATH', __DIR__ . '/' );
}
require_once ABSPATH . 'wp-settings.php';
EOF
  # No internet: tell WordPress its update checks are fresh, so that it neither tries nor logs warnings about it.
  cat >"$rig/wp/wp-content/mu-plugins/rig-offline.php" <<'EOF'
<?php
foreach ( array( 'update_core', 'update_plugins', 'update_themes' ) as $rig_transient ) {
	add_filter(
		"pre_site_transient_{$rig_transient}",
		function () {
			return (object) array(
				'last_checked'    => time(),
				'version_checked' => $GLOBALS['wp_version'],
				'updates'         => array(),
				'response'        => array(),
				'translations'    => array(),
			);
		}
	);
}
EOF
  php "$helpers/install.php" "$rig/wp" "$url" >"$rig/install.log" 2>&1 || { cat "$rig/install.log" >&2; die "WordPress install failed"; }

  # --- serve
  # A token only this tree serves: a server that answers on the port must be ours, not an earlier rig's.
  local token
  token="rig-$(date +%s%N)-$RANDOM"
  echo "$token" >"$rig/wp/rig-id.txt"
  # opcache is on for `php -S` and by default trusts a cached file for 2 s: tests that edit wp-config.php (salts) need
  # every request to see the current file.
  PHP_CLI_SERVER_WORKERS=4 setsid php -d opcache.revalidate_freq=0 -S "127.0.0.1:$port" -t "$rig/wp" \
    </dev/null >"$rig/php-server.log" 2>&1 &
  echo $! >"$rig/php-server.pid"
  for i in $(seq 1 100); do
    if grep -q "Failed to listen" "$rig/php-server.log" 2>/dev/null || ! kill -0 "$(cat "$rig/php-server.pid")" 2>/dev/null; then
      stop "$rig"
      echo "wordpress-rig: port $port is taken" >&2
      exit 3
    fi
    # No `curl | grep -q` under pipefail: grep -q closes the pipe early and curl's SIGPIPE fails the pipeline.
    [ "$(curl -s "$url/rig-id.txt" || true)" = "$token" ] && break
    sleep 0.1
  done
  [ "$(curl -s "$url/rig-id.txt" || true)" = "$token" ] || { cat "$rig/php-server.log" >&2; die "php -S did not serve WordPress"; }
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/wp-login.php" || true)" = 200 ] \
    || { cat "$rig/php-server.log" >&2; die "WordPress does not answer on $url/wp-login.php"; }
  started=1
  printf '{"url":"%s","socket":"%s"}\n' "$url" "$sock"
}

case "${1:-}" in
  start) [ $# -eq 3 ] || die "usage: $0 start RIG_DIR WP_PORT"; start "$2" "$3" ;;
  stop) [ $# -eq 2 ] || die "usage: $0 stop RIG_DIR"; stop "$2" ;;
  *) die "usage: $0 start RIG_DIR WP_PORT | stop RIG_DIR" ;;
esac
