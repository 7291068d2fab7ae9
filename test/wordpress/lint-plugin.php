<?php
/**
 * Checks a generated plugin against the WordPress conventions the pattern promises, with PHP's own tokenizer
 * (WordPress's PHPCS rules are not packaged in Debian). Prints one JSON object: {"problems": [...], "stats": {...}}.
 *
 * Usage: php lint-plugin.php PLUGIN_DIR SLUG FUNCTION_PREFIX CLASS_PREFIX CONSTANT_PREFIX
 *
 * - every file starts with its docblock and then `defined( 'ABSPATH' ) || exit;`
 * - every translation call names the slug as text domain, with a literal string
 * - a string with placeholders (%s, %1$d) has a translators: comment on its line or the line above, which no other
 *   translation call comes before (the tools give a comment to the first string after it)
 * - global functions, classes and define()d constants carry the plugin's prefixes
 * - hooks the plugin fires (apply_filters, do_action) and the options and transients it names are prefixed
 */

list( , $dir, $slug, $function_prefix, $class_prefix, $constant_prefix ) = $argv;

const I18N = array(
	'__'          => true,
	'_e'          => true,
	'_x'          => true,
	'_ex'         => true,
	'_n'          => true,
	'_nx'         => true,
	'esc_html__'  => true,
	'esc_html_e'  => true,
	'esc_html_x'  => true,
	'esc_attr__'  => true,
	'esc_attr_e'  => true,
	'esc_attr_x'  => true,
);
const FIRST_ARGUMENT_PREFIXED = array(
	'apply_filters'  => true,
	'do_action'      => true,
	'get_option'     => true,
	'add_option'     => true,
	'update_option'  => true,
	'delete_option'  => true,
	'get_transient'  => true,
	'set_transient'  => true,
);

$problems = array();
$stats    = array(
	'files'        => 0,
	'i18n_calls'   => 0,
	'functions'    => 0,
	'classes'      => 0,
	'prefixed_use' => 0,
);

$files = new RecursiveIteratorIterator( new RecursiveDirectoryIterator( $dir, FilesystemIterator::SKIP_DOTS ) );
foreach ( $files as $file ) {
	if ( 'php' !== $file->getExtension() ) {
		continue;
	}
	++$stats['files'];
	$name   = substr( $file->getPathname(), strlen( $dir ) + 1 );
	$source = file_get_contents( $file->getPathname() );
	$all    = token_get_all( $source );

	// Lines where a "translators:" comment ends: translation tools attach it to a string on that line or the next.
	$translator_lines = array();
	foreach ( $all as $token ) {
		if ( is_array( $token ) && in_array( $token[0], array( T_COMMENT, T_DOC_COMMENT ), true ) && preg_match( '#^(/\*+|//)\s*translators:#i', $token[1] ) ) {
			$translator_lines[ $token[2] + substr_count( $token[1], "\n" ) ] = true;
		}
	}

	$tokens = array_values(
		array_filter(
			$all,
			static function ( $token ) {
				return ! is_array( $token ) || ! in_array( $token[0], array( T_WHITESPACE, T_COMMENT ), true );
			}
		)
	);

	// The guard comes first: open tag, docblock, then defined( 'ABSPATH' ) || exit;
	$start = array_map(
		static function ( $token ) {
			return is_array( $token ) ? $token[1] : $token;
		},
		array_slice( $tokens, 0, 10 )
	);
	$expected = array( 'defined', '(', "'ABSPATH'", ')', '||', 'exit', ';' );
	if ( T_DOC_COMMENT !== ( $tokens[1][0] ?? null ) || array_slice( $start, 2, 7 ) !== $expected ) {
		$problems[] = "$name: does not start with its docblock and defined( 'ABSPATH' ) || exit;";
	}

	$depth        = 0;
	$class_depths = array();
	$count        = count( $tokens );
	for ( $i = 0; $i < $count; $i++ ) {
		$token = $tokens[ $i ];
		if ( '{' === $token || ( is_array( $token ) && in_array( $token[0], array( T_CURLY_OPEN, T_DOLLAR_OPEN_CURLY_BRACES ), true ) ) ) {
			++$depth;
			continue;
		}
		if ( '}' === $token ) {
			--$depth;
			if ( $class_depths && end( $class_depths ) === $depth ) {
				array_pop( $class_depths );
			}
			continue;
		}
		if ( ! is_array( $token ) ) {
			continue;
		}

		if ( T_CLASS === $token[0] && is_array( $tokens[ $i + 1 ] ) && T_STRING === $tokens[ $i + 1 ][0] ) {
			++$stats['classes'];
			if ( 0 !== strpos( $tokens[ $i + 1 ][1], $class_prefix . '_' ) ) {
				$problems[] = "$name: class {$tokens[ $i + 1 ][1]} lacks the prefix $class_prefix" . '_';
			}
			$class_depths[] = $depth;
			continue;
		}
		if ( T_FUNCTION === $token[0] && ! $class_depths && is_array( $tokens[ $i + 1 ] ) && T_STRING === $tokens[ $i + 1 ][0] ) {
			++$stats['functions'];
			if ( 0 !== strpos( $tokens[ $i + 1 ][1], $function_prefix . '_' ) ) {
				$problems[] = "$name: function {$tokens[ $i + 1 ][1]} lacks the prefix $function_prefix" . '_';
			}
			continue;
		}
		if ( T_STRING !== $token[0] || '(' !== ( $tokens[ $i + 1 ] ?? null ) ) {
			continue;
		}
		$previous = $tokens[ $i - 1 ] ?? null;
		if ( is_array( $previous ) && in_array( $previous[0], array( T_OBJECT_OPERATOR, T_DOUBLE_COLON, T_FUNCTION ), true ) ) {
			continue; // a method, not the global function
		}

		// The call's arguments, split at top-level commas.
		$arguments = array( array() );
		$level     = 0;
		for ( $j = $i + 2; $j < $count; $j++ ) {
			$t = $tokens[ $j ];
			if ( '(' === $t || '[' === $t ) {
				++$level;
			} elseif ( ')' === $t || ']' === $t ) {
				if ( 0 === $level ) {
					break;
				}
				--$level;
			} elseif ( ',' === $t && 0 === $level ) {
				$arguments[] = array();
				continue;
			}
			$arguments[ count( $arguments ) - 1 ][] = $t;
		}
		$function = strtolower( $token[1] );
		$literal  = static function ( array $argument ) {
			if ( 1 !== count( $argument ) || ! is_array( $argument[0] ) || T_CONSTANT_ENCAPSED_STRING !== $argument[0][0] ) {
				return null;
			}
			$inner = substr( $argument[0][1], 1, -1 );
			return "'" === $argument[0][1][0] ? str_replace( array( '\\\\', "\\'" ), array( '\\', "'" ), $inner ) : stripcslashes( $inner );
		};

		if ( isset( I18N[ $function ] ) ) {
			++$stats['i18n_calls'];
			$domain = $literal( end( $arguments ) );
			if ( $slug !== $domain ) {
				$problems[] = "$name:{$token[2]}: $function() without the text domain '$slug'";
			}
			$text = $literal( $arguments[0] );
			if ( null === $text ) {
				$problems[] = "$name:{$token[2]}: $function() with a non-literal string (translation tools cannot extract it)";
			} else {
				// Like the extraction tools, the first translation call after a translators: comment takes it: a
				// comment above a line whose first call is another string does not reach the one with placeholders.
				$comment_line = ! empty( $translator_lines[ $token[2] - 1 ] ) ? $token[2] - 1 : ( ! empty( $translator_lines[ $token[2] ] ) ? $token[2] : null );
				if ( null !== $comment_line ) {
					$translator_lines[ $comment_line ] = false;
				}
				if ( preg_match( '/%(\d+\$)?[sdfu]/', $text ) && null === $comment_line ) {
					$problems[] = "$name:{$token[2]}: $function( '$text' ) has placeholders but no translators: comment just above it";
				}
			}
		}
		if ( 'define' === $function ) {
			$constant = $literal( $arguments[0] );
			if ( null === $constant || 0 !== strpos( $constant, $constant_prefix . '_' ) ) {
				$problems[] = "$name:{$token[2]}: define() of a constant without the prefix $constant_prefix" . '_';
			}
		}
		if ( ! empty( FIRST_ARGUMENT_PREFIXED[ $function ] ) ) {
			$first = $literal( $arguments[0] );
			// A class constant (Plugin_Key_Store::SETTINGS_OPTION) is checked where it is declared, as a string.
			if ( null !== $first ) {
				++$stats['prefixed_use'];
				if ( 0 !== strpos( $first, $function_prefix . '_' ) ) {
					$problems[] = "$name:{$token[2]}: $function( '$first' ) is not prefixed with $function_prefix" . '_';
				}
			}
		}
	}

	// Class constants that name options, transients or actions hold prefixed strings.
	if ( preg_match_all( "/const (\\w+_(?:OPTION|ACTION|PREFIX|GROUP)) = '([^']*)'/", $source, $matches, PREG_SET_ORDER ) ) {
		foreach ( $matches as $match ) {
			++$stats['prefixed_use'];
			if ( 0 !== strpos( $match[2], $function_prefix ) ) {
				$problems[] = "$name: const {$match[1]} = '{$match[2]}' is not prefixed with $function_prefix";
			}
		}
	}
}

echo json_encode(
	array(
		'problems' => $problems,
		'stats'    => $stats,
	),
	JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES
), "\n";
