// Which upstream paths a provider's route forwards. Everything not on the allowlist is refused before it
// reaches the provider, so the proxy cannot be used to reach account, billing or admin endpoints with a
// user's key, whatever the client asks for.

/**
 * One regular expression for an allowlist such as ['/v1/messages', '/v1beta/models/*:generateContent'],
 * where `*` matches exactly one non-empty path segment.
 * @param {string[]} patterns
 */
export function compileAllowlist(patterns) {
  const alternatives = patterns.map((pattern) =>
    pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]+'),
  );
  return new RegExp(`^(?:${alternatives.join('|')})$`);
}

/** One or more `/segment`, each non-empty and not `.` or `..`, in the characters a URL path may hold as they are. */
const SAFE_SEGMENTS = /^(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9\-._~!$&'()*+,;=:@%]+)+$/;

/**
 * True when a raw request path can be appended to an origin as it is: one leading slash, no empty, `.` or
 * `..` segment (spelled out or percent-encoded, which URL parsers resolve), no encoded slash or backslash that
 * an upstream might decode into a new segment, no control characters.
 * @param {string} path
 */
export function isSafePath(path) {
  if (path.length > 2048 || !SAFE_SEGMENTS.test(path)) return false;
  return !path.includes('%') || path.slice(1).split('/').every(isSafeEncodedSegment);
}

function isSafeEncodedSegment(/** @type {string} */ segment) {
  if (!segment.includes('%')) return true;
  let decoded;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return false;
  }
  return decoded !== '.' && decoded !== '..' && !/[/\\\u0000-\u001f\u007f]/.test(decoded);
}
