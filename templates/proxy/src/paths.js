// Which upstream paths a provider's route forwards. Everything not on the allowlist is refused before it
// reaches the provider, so the proxy cannot be used to reach account, billing or admin endpoints with a
// user's key, whatever the client asks for.

/**
 * An allowlist such as ['/v1/messages', '/v1beta/models/*:generateContent', '/v1/files/**'], where `*` matches
 * exactly one non-empty path segment (or the non-empty part of one, before `:generateContent`) and a final
 * `/**` one or more segments. One regular expression with a group per pattern: a path is checked in one scan,
 * and the group that matched tells which pattern it was.
 * @param {string[]} patterns
 */
export function compileAllowlist(patterns) {
  const alternatives = patterns.map((pattern) => {
    const prefix = pattern.endsWith('/**');
    const body = (prefix ? pattern.slice(0, -3) : pattern)
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]+');
    return `(${body}${prefix ? '(?:/[^/]+)+' : ''})`;
  });
  const regex = new RegExp(`^(?:${alternatives.join('|')})$`);
  // Patterns without a wildcard (the chat call, most often) are found without running the expression.
  const exact = new Set(patterns.filter((pattern) => !pattern.includes('*')));
  return {
    /** @param {string} path */
    test: (path) => exact.has(path) || regex.test(path),
    /**
     * The pattern `path` matches, or undefined.
     * @param {string} path
     */
    match(path) {
      if (exact.has(path)) return path;
      const groups = regex.exec(path);
      if (!groups) return undefined;
      for (let i = 1; i < groups.length; i += 1) if (groups[i] !== undefined) return patterns[i - 1];
      return undefined;
    },
  };
}

/** @typedef {ReturnType<typeof compileAllowlist>} Allowlist */

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
