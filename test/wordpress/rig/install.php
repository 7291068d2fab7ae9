<?php
/**
 * Installs WordPress without wp-cli and adds the users the tests log in as.
 *
 * Usage: php install.php WP_DIR SITE_URL
 *
 * wp-load.php runs at global scope and overwrites globals such as $plugin or $user: only rig_ names here.
 */

$rig_url                 = parse_url( $argv[2] );
$_SERVER['HTTP_HOST']    = $rig_url['host'] . ( isset( $rig_url['port'] ) ? ':' . $rig_url['port'] : '' );
$_SERVER['REQUEST_URI']  = '/';
$_SERVER['SERVER_NAME']  = $rig_url['host'];
define( 'WP_INSTALLING', true );
require $argv[1] . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';

/** Pluggable: there is no mail server, and the install would try to mail the password. */
function wp_new_blog_notification( $blog_title, $blog_url, $user_id, $password ) {}

if ( ! is_blog_installed() ) {
	wp_install( 'BYOK Rig', 'admin', 'admin@example.com', false, '', 'adminpass' );
}
// A tree without WordPress's default theme (Debian's WordPress 7 package) gets the one the rig copied in.
if ( ! wp_get_theme()->exists() ) {
	switch_theme( 'twentytwentythree' );
}
update_option( 'siteurl', $argv[2] );
update_option( 'home', $argv[2] );

foreach ( array( 'editor', 'author', 'contributor', 'subscriber' ) as $rig_role ) {
	if ( ! username_exists( $rig_role ) ) {
		$rig_id = wp_insert_user(
			array(
				'user_login' => $rig_role,
				'user_pass'  => $rig_role . 'pass',
				'user_email' => $rig_role . '@example.com',
				'role'       => $rig_role,
			)
		);
		if ( is_wp_error( $rig_id ) ) {
			fwrite( STDERR, $rig_id->get_error_message() . "\n" );
			exit( 1 );
		}
	}
}
echo "WordPress installed at {$argv[2]}\n";
