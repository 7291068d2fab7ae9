<?php
/**
 * PHPUnit bootstrap for a generated plugin's encryption and redaction classes, outside WordPress.
 *
 * Environment (set by test/wordpress-phpunit.test.ts):
 *   BYOK_PLUGIN_DIR       the generated plugin folder
 *   BYOK_CLASS_PREFIX     its class prefix (Acme_Helper), so the tests can name Plugin_Encryption / Plugin_Redactor
 *   BYOK_CONSTANT_PREFIX  its constant prefix (ACME_HELPER)
 *   BYOK_PROVIDERS        the provider ids it was generated for, comma-separated
 */

// Every plugin file starts with `defined( 'ABSPATH' ) || exit;`: without this, requiring it would end the run.
define( 'ABSPATH', __DIR__ . '/' );

foreach ( array( 'BYOK_PLUGIN_DIR', 'BYOK_CLASS_PREFIX', 'BYOK_CONSTANT_PREFIX', 'BYOK_PROVIDERS' ) as $byok_name ) {
	if ( false === getenv( $byok_name ) ) {
		fwrite( STDERR, "$byok_name is not set\n" );
		exit( 2 );
	}
}

/**
 * Encryption::for_site() derives its key from wp_salt().
 *
 * @param string $scheme Salt scheme.
 * @return string
 */
function wp_salt( $scheme = 'auth' ) {
	return $GLOBALS['byok_test_salts'][ $scheme ] ?? 'test-salt-' . $scheme;
}

/**
 * Encryption::uses_database_secrets() looks for the secrets wp_salt() generated and stored as site options.
 *
 * @param string $option Option name.
 * @return mixed
 */
function get_site_option( $option ) {
	return $GLOBALS['byok_test_site_options'][ $option ] ?? false;
}

require getenv( 'BYOK_PLUGIN_DIR' ) . '/includes/class-redactor.php';
require getenv( 'BYOK_PLUGIN_DIR' ) . '/includes/class-encryption.php';
class_alias( getenv( 'BYOK_CLASS_PREFIX' ) . '_Redactor', 'Plugin_Redactor' );
class_alias( getenv( 'BYOK_CLASS_PREFIX' ) . '_Encryption', 'Plugin_Encryption' );
