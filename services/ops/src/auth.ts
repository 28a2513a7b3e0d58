import { createHash, timingSafeEqual } from 'node:crypto';

/** Cookie the dashboard sets so the browser can open the queue UI and the live stream. */
export const TOKEN_COOKIE = 'wire_ops_token';

/**
 * A checker for the ops bearer token. Both sides are hashed first, so the comparison is
 * constant-time and does not leak the token's length.
 */
export function tokenChecker(token: string): (candidate: string | undefined) => boolean {
  const want = createHash('sha256').update(token).digest();
  return (candidate) => {
    if (!candidate) return false;
    const got = createHash('sha256').update(candidate).digest();
    return timingSafeEqual(want, got);
  };
}

/** The token a request carries: `Authorization: Bearer <t>`, else the dashboard's cookie. */
export function requestToken(headers: Record<string, string | string[] | undefined>): string | undefined {
  const auth = headers.authorization;
  const a = Array.isArray(auth) ? auth[0] : auth;
  if (a) {
    const m = /^Bearer\s+(.+)$/i.exec(a.trim());
    return m ? m[1]!.trim() : undefined;
  }
  const cookie = Array.isArray(headers.cookie) ? headers.cookie.join('; ') : headers.cookie;
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return decodeURIComponent(v.join('='));
  }
  return undefined;
}
