<?php
/**
 * Runs the shared vectors against a generated WordPress plugin's PHP: reads {"redaction": [...], "keyCheck": [...]}
 * as JSON on stdin, prints the results as JSON. Called by test/security-core.test.ts.
 *
 * Arguments: the plugin folder, its class prefix.
 */

// Every plugin file starts with `defined( 'ABSPATH' ) || exit;`: without this, requiring it would end the run.
define( 'ABSPATH', __DIR__ . '/' );

list( , $dir, $prefix ) = $argv;
require $dir . '/includes/class-redactor.php';
require $dir . '/includes/class-provider-client.php';

$input    = json_decode( stream_get_contents( STDIN ), true );
$redactor = $prefix . '_Redactor';
$client   = $prefix . '_Provider_Client';
$results  = array( 'redaction' => array(), 'keyCheck' => array() );

foreach ( $input['redaction'] as $case ) {
	$r = new $redactor();
	foreach ( $case['secrets'] as $secret ) {
		$r->add_secret( $secret );
	}
	$results['redaction'][] = $r->redact( $case['input'] );
}
foreach ( $input['keyCheck'] as $case ) {
	$results['keyCheck'][] = method_exists( $client, 'key_check_outcome' )
		? $client::key_check_outcome( $case['provider'], $case['status'], $case['body'] )
		: "$client has no key_check_outcome()";
}
echo json_encode( $results );
