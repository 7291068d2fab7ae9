<?php
/**
 * The generated plugin's redactor: keys by value first, by shape as the last net.
 */

use PHPUnit\Framework\TestCase;

final class RedactorTest extends TestCase {

	public function test_a_known_key_is_removed_wherever_it_appears() {
		$key      = 'my-key-without-any-recognisable-shape-123';
		$redactor = new Plugin_Redactor( array() );
		$redactor->add_secret( $key );
		$redacted = $redactor->redact( "Incorrect API key provided: $key. Retry with $key." );
		$this->assertSame( 'Incorrect API key provided: [redacted]. Retry with [redacted].', $redacted );
	}

	public function test_json_escaped_and_url_encoded_forms_are_removed_too() {
		$key      = 'key/with+slash=and"quote';
		$redactor = new Plugin_Redactor( array() );
		$redactor->add_secret( $key );
		$json = json_encode( array( 'error' => "bad key $key" ) );
		$this->assertStringNotContainsString( 'with+slash', $redactor->redact( $json ) );
		$this->assertStringNotContainsString( 'with', $redactor->redact( 'https://example.test/?k=' . rawurlencode( $key ) ) );
	}

	public function test_a_longer_secret_is_replaced_whole_before_a_shorter_one_inside_it() {
		$redactor = new Plugin_Redactor( array() );
		$redactor->add_secret( 'abcdefgh' );
		$redactor->add_secret( 'abcdefgh-and-more' );
		$this->assertSame( 'x [redacted] y', $redactor->redact( 'x abcdefgh-and-more y' ) );
	}

	public function test_short_values_are_not_redacted_by_value() {
		$redactor = new Plugin_Redactor( array() );
		$redactor->add_secret( 'a' );
		$redactor->add_secret( '' );
		$redactor->add_secret( null );
		$this->assertSame( 'a plain sentence', $redactor->redact( 'a plain sentence' ) );
	}

	public function test_text_without_keys_is_left_alone() {
		$redactor = new Plugin_Redactor();
		$text     = "Rate limit reached for requests per min. Please try again in 1s.\nsk- is a prefix; AIza too.";
		$this->assertSame( $text, $redactor->redact( $text ) );
	}

	public function test_patterns_with_slashes_are_usable() {
		$redactor = new Plugin_Redactor( array( 'tok/[0-9]{6,}' ) );
		$this->assertSame( 'see [redacted] here', $redactor->redact( 'see tok/1234567 here' ) );
	}

	/**
	 * Keys shaped like each generated provider's, never added by value: the catalog's patterns must catch them.
	 */
	public function test_keys_of_the_generated_providers_are_caught_by_shape() {
		$samples = array(
			'anthropic' => 'sk-ant-api03-' . str_repeat( 'x', 93 ) . 'AA',
			'openai'    => 'sk-proj-' . str_repeat( 'y', 100 ),
			'google'    => 'AIza' . str_repeat( 'z', 35 ),
		);
		$checked  = 0;
		$redactor = new Plugin_Redactor();
		foreach ( explode( ',', (string) getenv( 'BYOK_PROVIDERS' ) ) as $provider ) {
			if ( ! isset( $samples[ $provider ] ) ) {
				continue;
			}
			$redacted = $redactor->redact( "key={$samples[ $provider ]};" );
			$this->assertSame( 'key=[redacted];', $redacted, $provider );
			++$checked;
		}
		$this->assertGreaterThan( 0, $checked, 'no provider with a known key shape was generated' );
		$this->assertSame( count( Plugin_Redactor::KEY_PATTERNS ), $checked );
	}

	public function test_every_catalog_pattern_compiles() {
		foreach ( Plugin_Redactor::KEY_PATTERNS as $pattern ) {
			$this->assertNotFalse( @preg_match( '/' . str_replace( '/', '\/', $pattern ) . '/', '' ), $pattern );
		}
	}
}
