import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createHmacAuthenticator } from '../io/hmac.js';
import {
  DEFAULT_MAX_ENVELOPE_BYTES,
  decodeEnvelope,
  encodeEnvelope,
  ENVELOPE_REJECT_CODES,
  makeIncarnation,
  PeerEnvelopeCodec,
  PeerEnvelopeError,
  ReplayTracker,
  type EnvelopeDecodeResult,
} from './peer-envelope.js';

const bodySchema = z.object({ hall: z.array(z.boolean()), note: z.string() });
type Body = z.output<typeof bodySchema>;
const body: Body = { hall: [true, false], note: 'hé ✓' };

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const asText = (b: Uint8Array): string => new TextDecoder().decode(b);

function codec(
  selfId: string,
  incarnation = 100,
  key?: string,
): PeerEnvelopeCodec<typeof bodySchema> {
  return new PeerEnvelopeCodec({
    selfId,
    incarnation,
    bodySchema,
    ...(key === undefined ? {} : { auth: createHmacAuthenticator(key) }),
  });
}

function codeOf(result: EnvelopeDecodeResult<unknown>): string {
  return result.ok ? 'ok' : result.code;
}

describe('peer envelope codec', () => {
  it('round-trips: what one node encodes another decodes, with version, sender, incarnation, seq', () => {
    const a = codec('a', 555);
    const b = codec('b');
    const first = b.decode(a.encode(body));
    const second = b.decode(a.encode({ hall: [], note: '' }));
    expect(first).toEqual({
      ok: true,
      envelope: { version: 2, from: 'a', incarnation: 555, seq: 1, body },
    });
    expect(second.ok && second.envelope.seq).toBe(2);
    expect(b.stats.accepted).toBe(2);
    expect(a.stats.encoded).toBe(2);
  });

  it('encodes compact JSON with the documented layout', () => {
    const bytes = encodeEnvelope({ from: 'n1', incarnation: 7, seq: 3, body: { x: 1 } });
    expect(asText(bytes)).toBe('{"v":2,"from":"n1","inc":7,"seq":3,"body":{"x":1}}');
    const signed = encodeEnvelope(
      { from: 'n1', incarnation: 7, seq: 3, body: { x: 1 } },
      { auth: createHmacAuthenticator('k') },
    );
    expect(asText(signed)).toMatch(
      /^\{"v":2,"from":"n1","inc":7,"seq":3,"body":\{"x":1\},"mac":"[0-9a-f]{64}"\}$/,
    );
  });

  it('rejects each kind of bad datagram with its stable code', () => {
    const b = codec('b');
    const opts = { bodySchema, selfId: 'b' };
    const decode = (s: string | Uint8Array): string =>
      codeOf(decodeEnvelope(typeof s === 'string' ? text(s) : s, opts));
    expect(decode(new Uint8Array(DEFAULT_MAX_ENVELOPE_BYTES + 1))).toBe('oversized');
    expect(codeOf(decodeEnvelope(text('{"v":2}'), { ...opts, maxBytes: 5 }))).toBe('oversized');
    expect(decode('not json')).toBe('malformed');
    expect(decode(new Uint8Array([0x7b, 0xff, 0x7d]))).toBe('malformed'); // invalid UTF-8
    expect(decode('[1,2]')).toBe('malformed');
    expect(decode('null')).toBe('malformed');
    expect(decode('{"from":"a","inc":1,"seq":1,"body":{}}')).toBe('malformed');
    expect(decode('{"v":"1","from":"a","inc":1,"seq":1}')).toBe('malformed');
    expect(decode('{"v":1,"anything":"else"}')).toBe('foreign-version');
    expect(decode('{"v":0,"from":"a","inc":1,"seq":1,"body":{"hall":[],"note":""}}')).toBe(
      'foreign-version',
    );
    expect(decode('{"v":2,"from":"","inc":1,"seq":1,"body":{"hall":[],"note":""}}')).toBe(
      'malformed',
    );
    expect(decode('{"v":2,"from":"a","inc":0,"seq":1,"body":{"hall":[],"note":""}}')).toBe(
      'malformed',
    );
    expect(decode('{"v":2,"from":"a","inc":1.5,"seq":1,"body":{"hall":[],"note":""}}')).toBe(
      'malformed',
    );
    expect(decode('{"v":2,"from":"a","inc":1,"seq":-1,"body":{"hall":[],"note":""}}')).toBe(
      'malformed',
    );
    expect(decode('{"v":2,"from":"a","inc":1,"seq":1,"body":{"hall":[1],"note":""}}')).toBe(
      'malformed',
    );
    expect(decode('{"v":2,"from":"a","inc":1,"seq":1}')).toBe('malformed');
    expect(decode('{"v":2,"from":"a","inc":1,"seq":1,"body":{"hall":[],"note":""}}')).toBe('ok');
    expect(codeOf(b.decode(codec('b', 999).encode(body)))).toBe('own-message');
    const rejection = decodeEnvelope(
      text('{"v":2,"from":"a","inc":1,"seq":1,"body":{"hall":[1],"note":""}}'),
      opts,
    );
    expect(rejection).toMatchObject({ ok: false, code: 'malformed', from: 'a' });
    expect(!rejection.ok && rejection.message).toMatch(/body.*hall/);
  });

  it('signs exactly the bytes of the unsigned encoding (HMAC-SHA256, lower-case hex)', () => {
    const envelope = { from: 'n1', incarnation: 7, seq: 3, body: { x: [1, 'é'] } };
    const unsigned = encodeEnvelope(envelope);
    const signed = asText(encodeEnvelope(envelope, { auth: createHmacAuthenticator('k') }));
    const expected = createHmac('sha256', 'k').update(unsigned).digest('hex');
    expect(signed).toBe(`${asText(unsigned).slice(0, -1)},"mac":"${expected}"}`);
  });

  it('with a shared key: accepts valid macs, rejects missing, wrong-key and tampered ones', () => {
    const a = codec('a', 1, 'secret');
    const b = codec('b', 1, 'secret');
    const good = a.encode(body);
    expect(codeOf(b.decode(good))).toBe('ok');
    expect(codeOf(b.decode(codec('a', 2).encode(body)))).toBe('missing-mac');
    expect(codeOf(b.decode(codec('a', 3, 'other key').encode(body)))).toBe('bad-mac');
    // Flip the body: the old mac no longer verifies.
    const tampered = text(
      asText(a.encode(body)).replace('"hall":[true,false]', '"hall":[true,true]'),
    );
    expect(codeOf(b.decode(tampered))).toBe('bad-mac');
    // Same value, different bytes (whitespace): the mac covers bytes, so it fails.
    const spaced = text(asText(a.encode(body)).replace('"from":"a"', '"from": "a"'));
    expect(codeOf(b.decode(spaced))).toBe('bad-mac');
    // mac not the last member.
    const moved = asText(a.encode(body)).replace(
      /^\{"v":2,(.*),"mac":("[0-9a-f]+")\}$/,
      '{"mac":$2,"v":2,$1}',
    );
    expect(codeOf(b.decode(text(moved)))).toBe('bad-mac');
    // A short mac that is well-formed hex.
    const short = asText(a.encode(body)).replace(/"mac":"[0-9a-f]+"/, '"mac":"abcd"');
    expect(codeOf(b.decode(text(short)))).toBe('bad-mac');
    // Without a key the receiver ignores the mac.
    expect(codeOf(codec('c').decode(a.encode(body)))).toBe('ok');
    expect(b.stats.rejected['bad-mac']).toBe(5);
    expect(b.stats.rejected['missing-mac']).toBe(1);
  });

  it('rejects replays, duplicates and reordered older datagrams; accepts a newer incarnation', () => {
    const oldRun = codec('a', makeIncarnation(1_700_000_000_000, 5));
    const b = codec('b');
    const m1 = oldRun.encode(body);
    const m2 = oldRun.encode(body);
    const m3 = oldRun.encode(body);
    expect(codeOf(b.decode(m2))).toBe('ok');
    expect(codeOf(b.decode(m2))).toBe('replay'); // duplicate
    expect(codeOf(b.decode(m1))).toBe('replay'); // reordered, older
    expect(codeOf(b.decode(m3))).toBe('ok');
    const newRun = codec('a', makeIncarnation(1_700_000_000_001, 0));
    const n1 = newRun.encode(body);
    expect(codeOf(b.decode(n1))).toBe('ok'); // seq restarts at 1 in the new incarnation
    expect(codeOf(b.decode(oldRun.encode(body)))).toBe('stale-incarnation');
    expect(codeOf(b.decode(m3))).toBe('stale-incarnation');
    expect(b.stats.rejected).toMatchObject({ replay: 2, 'stale-incarnation': 2 });
    // Forgetting a sender (declared dead) lets a lower incarnation in again (clock stepped back).
    b.forgetSender('a');
    expect(codeOf(b.decode(oldRun.encode(body)))).toBe('ok');
  });

  it('counts every rejection by its code', () => {
    const b = codec('b');
    b.decode(text('junk'));
    b.decode(text('{"v":9}'));
    b.decode(new Uint8Array(DEFAULT_MAX_ENVELOPE_BYTES + 1));
    expect(Object.keys(b.stats.rejected).sort()).toEqual([...ENVELOPE_REJECT_CODES].sort());
    expect(b.stats.rejected).toMatchObject({ malformed: 1, 'foreign-version': 1, oversized: 1 });
  });

  it('throws a typed error when encoding something too big or an invalid header', () => {
    const small = new PeerEnvelopeCodec({ selfId: 'a', incarnation: 1, bodySchema, maxBytes: 100 });
    const encodeBig = (): Uint8Array => small.encode({ hall: [], note: 'x'.repeat(200) });
    expect(encodeBig).toThrow(PeerEnvelopeError);
    expect(small.nextSeq).toBe(1); // a failed encode does not burn a sequence number
    try {
      encodeBig();
    } catch (error) {
      expect((error as PeerEnvelopeError).code).toBe('oversized');
    }
    expect(() => new PeerEnvelopeCodec({ selfId: 'a', incarnation: 0, bodySchema })).toThrow(
      PeerEnvelopeError,
    );
    expect(() => encodeEnvelope({ from: '', incarnation: 1, seq: 1, body: 1 })).toThrow(
      PeerEnvelopeError,
    );
    expect(() => encodeEnvelope({ from: 'a', incarnation: 1, seq: 1, body: undefined })).toThrow(
      PeerEnvelopeError,
    );
  });

  it('makeIncarnation orders restarts by start time and breaks same-millisecond ties', () => {
    expect(makeIncarnation(1_000, 1023)).toBeLessThan(makeIncarnation(1_001, 0));
    expect(makeIncarnation(1_000, 1)).not.toBe(makeIncarnation(1_000, 2));
    expect(makeIncarnation(1_000, 1024 + 3)).toBe(makeIncarnation(1_000, 3));
    const now = Date.UTC(2200, 0, 1);
    expect(Number.isSafeInteger(makeIncarnation(now, 1023))).toBe(true);
    expect(makeIncarnation(0, 0)).toBeGreaterThan(0);
  });
});

describe('ReplayTracker', () => {
  it('remembers at most maxSenders senders, forgetting the least recently accepted', () => {
    const t = new ReplayTracker({ maxSenders: 2 });
    expect(t.check('a', 1, 1)).toBe('ok');
    expect(t.check('b', 1, 1)).toBe('ok');
    expect(t.check('a', 1, 2)).toBe('ok'); // a is now the most recent
    expect(t.check('c', 1, 1)).toBe('ok'); // evicts b
    expect(t.size).toBe(2);
    expect(t.latest('b')).toBeUndefined();
    expect(t.latest('a')).toEqual({ incarnation: 1, seq: 2 });
    expect(t.check('a', 1, 2)).toBe('replay');
    expect(t.check('b', 1, 1)).toBe('ok'); // forgotten, so accepted as new
  });
});

describe('peer envelope decoding of untrusted bytes (fast-check)', () => {
  const keyed = { bodySchema, selfId: 'me', auth: createHmacAuthenticator('k') };
  const open = { bodySchema, selfId: 'me' };
  const validBodies = fc.record({
    hall: fc.array(fc.boolean(), { maxLength: 8 }),
    note: fc.string({ maxLength: 40 }),
  });
  const validMessage = fc.record({
    from: fc.string({ minLength: 1, maxLength: 64 }),
    incarnation: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    seq: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    body: validBodies,
  });

  /** Decoding must return a typed result, never throw, and an ok result must be schema-valid. */
  function checkTotal(
    bytes: Uint8Array,
    options: typeof keyed | typeof open,
  ): EnvelopeDecodeResult<unknown> {
    const result = decodeEnvelope(bytes, options);
    if (result.ok) {
      expect(bodySchema.safeParse(result.envelope.body).success).toBe(true);
      expect(
        Number.isSafeInteger(result.envelope.incarnation) && result.envelope.incarnation > 0,
      ).toBe(true);
    } else {
      expect(ENVELOPE_REJECT_CODES).toContain(result.code);
    }
    return result;
  }

  it('random bytes never throw and never pass a keyed decoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        expect(checkTotal(bytes, keyed).ok).toBe(false);
        checkTotal(bytes, open);
      }),
      { numRuns: 2_000 },
    );
  });

  it('random JSON values never throw', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const bytes = text(JSON.stringify(value));
        expect(checkTotal(bytes, keyed).ok).toBe(false);
        checkTotal(bytes, open);
      }),
      { numRuns: 1_000 },
    );
  });

  it('valid messages round-trip; mutated signed messages never throw and never verify', () => {
    fc.assert(
      fc.property(
        validMessage,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (message, mutations) => {
          const signed = encodeEnvelope(message, keyed);
          const decoded = checkTotal(signed, keyed);
          expect(message.from === 'me' ? codeOf(decoded) : decoded).toEqual(
            message.from === 'me'
              ? 'own-message'
              : { ok: true, envelope: { version: 2, ...message } },
          );
          const mutated = signed.slice();
          for (const [position, xor] of mutations) {
            const at = position % mutated.length;
            mutated[at] = (mutated[at] ?? 0) ^ xor;
          }
          const result = checkTotal(mutated, keyed);
          // A changed byte never yields an accepted message (two flips may cancel out).
          const changed = mutated.some((byte, i) => byte !== signed[i]);
          expect(result.ok).toBe(!changed && message.from !== 'me');
          checkTotal(mutated, open);
          // Truncations and extensions are rejected too.
          const cut = signed.subarray(0, (mutations[0]?.[0] ?? 0) % signed.length);
          expect(checkTotal(cut, keyed).ok).toBe(false);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
