<?php
/**
 * The generated plugin's encryption class: authenticated, bound to what the key is for, versioned, never garbage.
 */

use PHPUnit\Framework\TestCase;

final class EncryptionTest extends TestCase {

	private const KEY = 'sk-ant-api03-fake-key-for-tests-only-AA';

	public function test_round_trip() {
		$encryption = new Plugin_Encryption( 'site secret' );
		$this->assertSame( self::KEY, $encryption->decrypt( $encryption->encrypt( self::KEY ) ) );
	}

	public function test_round_trip_of_unusual_text() {
		$encryption = new Plugin_Encryption( 'site secret' );
		foreach ( array( '', "quote ' \" \\ \0 nul", str_repeat( '🔑', 500 ) ) as $value ) {
			$this->assertSame( $value, $encryption->decrypt( $encryption->encrypt( $value ) ) );
		}
	}

	public function test_stored_form_is_versioned_base64_without_the_plaintext() {
		$stored = ( new Plugin_Encryption( 'site secret' ) )->encrypt( self::KEY );
		$this->assertStringStartsWith( 'v2:', $stored );
		$this->assertSame( Plugin_Encryption::PREFIX, 'v2:' );
		$this->assertStringNotContainsString( self::KEY, $stored );
		$raw = base64_decode( substr( $stored, 3 ), true );
		$this->assertNotFalse( $raw );
		$this->assertSame( SODIUM_CRYPTO_AEAD_XCHACHA20POLY1305_IETF_NPUBBYTES + strlen( self::KEY ) + SODIUM_CRYPTO_AEAD_XCHACHA20POLY1305_IETF_ABYTES, strlen( $raw ) );
		$this->assertStringNotContainsString( self::KEY, $raw );
	}

	public function test_every_encryption_uses_a_fresh_nonce() {
		$encryption = new Plugin_Encryption( 'site secret' );
		$first      = base64_decode( substr( $encryption->encrypt( self::KEY ), 3 ) );
		$second     = base64_decode( substr( $encryption->encrypt( self::KEY ), 3 ) );
		$this->assertNotSame(
			substr( $first, 0, SODIUM_CRYPTO_AEAD_XCHACHA20POLY1305_IETF_NPUBBYTES ),
			substr( $second, 0, SODIUM_CRYPTO_AEAD_XCHACHA20POLY1305_IETF_NPUBBYTES )
		);
		$this->assertNotSame( $first, $second );
	}

	public function test_a_value_sealed_for_one_provider_does_not_open_for_another() {
		$encryption = new Plugin_Encryption( 'site secret' );
		$stored     = $encryption->encrypt( self::KEY, 'anthropic' );
		$this->assertSame( self::KEY, $encryption->decrypt( $stored, 'anthropic' ) );
		$this->assertNull( $encryption->decrypt( $stored, 'openai' ) );
		$this->assertNull( $encryption->decrypt( $stored ) );
	}

	public function test_the_key_id_tells_whether_the_secrets_changed_without_revealing_them() {
		$id = ( new Plugin_Encryption( 'site secret' ) )->key_id();
		$this->assertMatchesRegularExpression( '/^[0-9a-f]{16}$/', $id );
		$this->assertSame( $id, ( new Plugin_Encryption( 'site secret' ) )->key_id() );
		$this->assertNotSame( $id, ( new Plugin_Encryption( 'rotated secret' ) )->key_id() );
		$this->assertStringNotContainsString( $id, bin2hex( hash_hkdf( 'sha256', 'site secret', 32, Plugin_Encryption::CONTEXT ) ) );
	}

	public function test_other_secrets_decrypt_to_null_not_garbage() {
		$stored = ( new Plugin_Encryption( 'old salts' ) )->encrypt( self::KEY );
		$this->assertNull( ( new Plugin_Encryption( 'new salts' ) )->decrypt( $stored ) );
	}

	public function test_the_secret_is_hashed_so_long_and_similar_secrets_give_different_keys() {
		$long   = str_repeat( 'x', 64 );
		$stored = ( new Plugin_Encryption( $long . 'a' ) )->encrypt( self::KEY );
		// A key made by truncating the secret to 32 bytes would make these two equal.
		$this->assertNull( ( new Plugin_Encryption( $long . 'b' ) )->decrypt( $stored ) );
	}

	public function test_tampering_is_detected() {
		$encryption = new Plugin_Encryption( 'site secret' );
		$raw        = base64_decode( substr( $encryption->encrypt( self::KEY ), 3 ) );
		for ( $i = 0; $i < strlen( $raw ); $i += 7 ) {
			$altered    = $raw;
			$altered[ $i ] = chr( ord( $altered[ $i ] ) ^ 1 );
			$this->assertNull( $encryption->decrypt( 'v2:' . base64_encode( $altered ) ), "byte $i flipped" );
		}
	}

	/**
	 * @dataProvider not_ciphertexts
	 */
	public function test_anything_else_decrypts_to_null( $stored ) {
		$this->assertNull( ( new Plugin_Encryption( 'site secret' ) )->decrypt( $stored ) );
	}

	public function not_ciphertexts() {
		$valid = ( new Plugin_Encryption( 'site secret' ) )->encrypt( self::KEY );
		return array(
			'null'               => array( null ),
			'false'              => array( false ),
			'array'              => array( array( 'v2:' ) ),
			'empty'              => array( '' ),
			'the plain key'      => array( self::KEY ),
			'prefix only'        => array( 'v2:' ),
			'not base64'         => array( 'v2:***not base64***' ),
			'too short'          => array( 'v2:' . base64_encode( str_repeat( "\0", 39 ) ) ),
			'truncated'          => array( substr( $valid, 0, -8 ) ),
			'unknown version'    => array( 'v3:' . substr( $valid, 3 ) ),
			'the old format'     => array( 'v1:' . substr( $valid, 3 ) ),
			'no version'         => array( substr( $valid, 3 ) ),
		);
	}

	public function test_for_site_uses_the_logged_in_salt() {
		$GLOBALS['byok_test_salts'] = array( 'logged_in' => 'key-and-salt-of-this-site' );
		$stored                     = Plugin_Encryption::for_site()->encrypt( self::KEY );
		$this->assertSame( self::KEY, ( new Plugin_Encryption( 'key-and-salt-of-this-site' ) )->decrypt( $stored ) );

		$GLOBALS['byok_test_salts'] = array( 'logged_in' => 'rotated' );
		$this->assertNull( Plugin_Encryption::for_site()->decrypt( $stored ) );
		unset( $GLOBALS['byok_test_salts'] );
	}

	public function test_secrets_from_wp_config_are_not_reported_as_database_secrets() {
		$GLOBALS['byok_test_salts']        = array( 'logged_in' => 'key-from-wp-config' . 'salt-from-wp-config' );
		$GLOBALS['byok_test_site_options'] = array( 'logged_in_key' => 'stale value generated long ago' );
		$this->assertFalse( Plugin_Encryption::uses_database_secrets() );
		unset( $GLOBALS['byok_test_salts'], $GLOBALS['byok_test_site_options'] );
	}

	public function test_secrets_wordpress_generated_and_stored_are_reported() {
		foreach ( array( 'logged_in_key', 'logged_in_salt' ) as $option ) {
			$generated                         = "generated-$option-0123456789";
			$GLOBALS['byok_test_site_options'] = array( $option => $generated );
			$GLOBALS['byok_test_salts']        = array( 'logged_in' => $option === 'logged_in_key' ? $generated . 'salt-from-wp-config' : 'key-from-wp-config' . $generated );
			$this->assertTrue( Plugin_Encryption::uses_database_secrets(), $option );
		}
		unset( $GLOBALS['byok_test_salts'], $GLOBALS['byok_test_site_options'] );
	}

	/**
	 * @runInSeparateProcess
	 * @preserveGlobalState disabled
	 */
	public function test_the_encryption_key_constant_is_not_a_database_secret() {
		define( getenv( 'BYOK_CONSTANT_PREFIX' ) . '_ENCRYPTION_KEY', 'a long random secret from wp-config.php' );
		$GLOBALS['byok_test_site_options'] = array( 'logged_in_key' => 'generated' );
		$GLOBALS['byok_test_salts']        = array( 'logged_in' => 'generated' . 'salt' );
		$this->assertFalse( Plugin_Encryption::uses_database_secrets() );
	}

	/**
	 * The constant survives salt rotation. In its own process: a constant cannot be undefined again.
	 *
	 * @runInSeparateProcess
	 * @preserveGlobalState disabled
	 */
	public function test_the_encryption_key_constant_wins_over_the_salts() {
		define( getenv( 'BYOK_CONSTANT_PREFIX' ) . '_ENCRYPTION_KEY', 'a long random secret from wp-config.php' );
		$GLOBALS['byok_test_salts'] = array( 'logged_in' => 'before rotation' );
		$stored                     = Plugin_Encryption::for_site()->encrypt( self::KEY );
		$GLOBALS['byok_test_salts'] = array( 'logged_in' => 'after rotation' );
		$this->assertSame( self::KEY, Plugin_Encryption::for_site()->decrypt( $stored ) );
		$this->assertSame( self::KEY, ( new Plugin_Encryption( 'a long random secret from wp-config.php' ) )->decrypt( $stored ) );
	}
}
