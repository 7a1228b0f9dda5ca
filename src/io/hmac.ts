/**
 * HMAC-SHA256 message authentication for peer envelopes. Kept out of `src/protocol/` so the
 * envelope codec stays free of `node:*` imports: the codec receives this as a
 * {@link MessageAuthenticator}.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MessageAuthenticator } from '../protocol/peer-envelope.js';

/** Length of an HMAC-SHA256 tag in bytes. */
export const HMAC_SHA256_BYTES = 32;

/**
 * An authenticator keyed with a shared secret (a string is taken as its UTF-8 bytes).
 * `verify` compares in constant time, so a forger learns nothing from response timing.
 */
export function createHmacAuthenticator(key: string | Uint8Array): MessageAuthenticator {
  const keyBytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : Buffer.from(key);
  if (keyBytes.length === 0) throw new RangeError('the shared key must not be empty');
  const sign = (content: Uint8Array): Uint8Array =>
    new Uint8Array(createHmac('sha256', keyBytes).update(content).digest());
  return {
    sign,
    verify(content: Uint8Array, mac: Uint8Array): boolean {
      // timingSafeEqual throws on a length mismatch; the length of a tag is not a secret.
      if (mac.length !== HMAC_SHA256_BYTES) return false;
      return timingSafeEqual(sign(content), mac);
    },
  };
}
