import { describe, expect, it } from 'vitest';
import { requestToken, tokenChecker, TOKEN_COOKIE } from './auth';

describe('ops token', () => {
  const check = tokenChecker('s3cret-token-of-ops-0123');

  it('accepts only the exact token', () => {
    expect(check('s3cret-token-of-ops-0123')).toBe(true);
    expect(check('s3cret-token-of-ops-012')).toBe(false);
    expect(check('s3cret-token-of-ops-01234')).toBe(false);
    expect(check('')).toBe(false);
    expect(check(undefined)).toBe(false);
  });

  it('reads a bearer header, else the dashboard cookie', () => {
    expect(requestToken({ authorization: 'Bearer abc' })).toBe('abc');
    expect(requestToken({ authorization: 'bearer   abc  ' })).toBe('abc');
    expect(requestToken({ authorization: 'Basic abc' })).toBeUndefined();
    expect(requestToken({ cookie: `theme=dark; ${TOKEN_COOKIE}=a%2Fb%3D` })).toBe('a/b=');
    expect(requestToken({ cookie: 'theme=dark' })).toBeUndefined();
    // A header, even a wrong one, wins over the cookie.
    expect(requestToken({ authorization: 'Basic x', cookie: `${TOKEN_COOKIE}=abc` })).toBeUndefined();
  });
});
