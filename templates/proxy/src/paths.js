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

/**
 * True when a raw request path can be appended to an origin as it is: one leading slash, no empty, `.` or
 * `..` segment (spelled out or percent-encoded, which URL parsers resolve), no encoded slash or backslash that
 * an upstream might decode into a new segment, no control characters.
 * @param {string} path
 */
export function isSafePath(path) {
  if (path.length === 0 || path.length > 2048 || path[0] !== '/') return false;
  if (!/^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]+$/.test(path)) return false;
  for (const segment of path.slice(1).split('/')) {
    if (segment === '' || segment === '.' || segment === '..') return false;
    if (segment.includes('%') && !isSafeEncodedSegment(segment)) return false;
  }
  return true;
}

function isSafeEncodedSegment(/** @type {string} */ segment) {
  let decoded;
  try {
    decoded = decodeURIComponent(segment);
  } catch {
    return false;
  }
  return decoded !== '.' && decoded !== '..' && !/[/\\\u0000-\u001f\u007f]/.test(decoded);
}
