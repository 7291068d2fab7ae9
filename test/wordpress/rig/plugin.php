<?php
/**
 * Activates, deactivates or uninstalls a plugin the way the Plugins screen does, without wp-cli.
 *
 * Usage: php plugin.php WP_DIR activate|deactivate|uninstall PLUGIN_FILE (e.g. my-plugin/my-plugin.php)
 *
 * uninstall deactivates first, then runs the plugin's uninstall.php through uninstall_plugin() (which defines
 * WP_UNINSTALL_PLUGIN), then deletes its folder, as "Delete" on the Plugins screen does.
 */

$_SERVER['HTTP_HOST']   = 'localhost';
$_SERVER['REQUEST_URI'] = '/';
require $argv[1] . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
require_once ABSPATH . 'wp-admin/includes/file.php';
wp_set_current_user( 1 );

$rig_action = $argv[2];
$rig_file   = $argv[3];
switch ( $rig_action ) {
	case 'activate':
		$rig_result = activate_plugin( $rig_file, '', false, false );
		if ( is_wp_error( $rig_result ) ) {
			fwrite( STDERR, 'activation failed: ' . $rig_result->get_error_message() . "\n" );
			exit( 1 );
		}
		break;
	case 'deactivate':
		deactivate_plugins( $rig_file, true );
		break;
	case 'uninstall':
		deactivate_plugins( $rig_file, true );
		if ( ! is_uninstallable_plugin( $rig_file ) ) {
			fwrite( STDERR, "$rig_file has no uninstall routine\n" );
			exit( 1 );
		}
		uninstall_plugin( $rig_file );
		$rig_deleted = delete_plugins( array( $rig_file ) );
		if ( true !== $rig_deleted ) {
			fwrite( STDERR, 'delete failed: ' . ( is_wp_error( $rig_deleted ) ? $rig_deleted->get_error_message() : 'unknown' ) . "\n" );
			exit( 1 );
		}
		break;
	default:
		fwrite( STDERR, "unknown action $rig_action\n" );
		exit( 2 );
}
echo 'active plugins: ' . implode( ',', (array) get_option( 'active_plugins', array() ) ) . "\n";
