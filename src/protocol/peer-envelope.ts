/**
 * The versioned envelope every peer datagram travels in, and its codec (pure: no `node:*`
 * imports, no clock reads).
 *
 * Wire format (UTF-8 JSON, compact, keys in this order):
 *
 *     {"v":2,"from":"<sender id>","inc":<incarnation>,"seq":<sequence>,"body":<body>}
 *
 * With a shared key, the MAC is appended as the LAST member:
 *
 *     {"v":2,"from":...,"body":<body>,"mac":"<lower-case hex HMAC>"}
 *
 * What is signed: exactly the bytes of the unsigned form above (the datagram with its trailing
 * `,"mac":"<hex>"` removed). Signing bytes rather than a re-serialised value means no JSON
 * canonicalisation is needed on either side, and any byte changed anywhere in the datagram
 * (including whitespace, key order or an escape in the mac itself) invalidates it.
 *
 * Decoding untrusted bytes runs these checks in order; the first failure is the result code:
 * size bound (before any parsing) -> UTF-8 + JSON parse -> protocol version -> header shape ->
 * own message -> MAC -> body schema -> replay/incarnation (stateful, {@link PeerEnvelopeCodec}).
 * Own messages are dropped before the MAC check because every broadcast comes back to its
 * sender; skipping the HMAC for them halves the crypto work and a forged "own" message is
 * dropped either way.
 */
import { z } from 'zod';

/** The protocol version this build speaks; anything else decodes to `foreign-version`. */
export const PEER_PROTOCOL_VERSION = 2;
/** Default bound on an encoded envelope, in bytes (fits a UDP datagram with room to spare). */
export const DEFAULT_MAX_ENVELOPE_BYTES = 60_000;
/** Longest sender id accepted. */
export const MAX_SENDER_ID_LENGTH = 64;
/** Default number of senders the replay tracker remembers. */
export const DEFAULT_MAX_TRACKED_SENDERS = 1024;

/** Why a datagram was rejected; stable strings, used as counter keys and in logs. */
export type EnvelopeRejectCode =
  /** Longer than the size bound (checked before parsing). */
  | 'oversized'
  /** Not UTF-8 JSON, or the header or body does not match its schema. */
  | 'malformed'
  /** A well-formed header with another protocol version. */
  | 'foreign-version'
  /** Sent by this node itself (broadcasts come back to their sender). */
  | 'own-message'
  /** A shared key is set and the MAC does not verify. */
  | 'bad-mac'
  /** A shared key is set and the datagram carries no MAC. */
  | 'missing-mac'
  /** A sequence number not greater than the last one accepted from that sender incarnation. */
  | 'replay'
  /** From an older incarnation of the sender than the newest one seen (a pre-restart datagram). */
  | 'stale-incarnation';

/** Every reject code, in check order. */
export const ENVELOPE_REJECT_CODES: readonly EnvelopeRejectCode[] = [
  'oversized',
  'malformed',
  'foreign-version',
  'own-message',
  'bad-mac',
  'missing-mac',
  'replay',
  'stale-incarnation',
];

/** A decoded, validated envelope. */
export interface PeerEnvelope<B> {
  version: number;
  /** Sender id. */
  from: string;
  /** Sender incarnation: a positive safe integer, larger after each restart of the sender. */
  incarnation: number;
  /** Sequence number, increasing within one incarnation. */
  seq: number;
  body: B;
}

/** A typed decode failure. `from` is set when the header was readable (for logs only). */
export interface EnvelopeRejection {
  ok: false;
  code: EnvelopeRejectCode;
  message: string;
  from?: string;
}

/** The result of decoding untrusted bytes: never thrown, always one of these. */
export type EnvelopeDecodeResult<B> = { ok: true; envelope: PeerEnvelope<B> } | EnvelopeRejection;

/**
 * Computes and checks message authentication codes. The real one is HMAC-SHA256 with a shared
 * key (`src/io/hmac.ts`, `createHmacAuthenticator`); `verify` must compare in constant time.
 */
export interface MessageAuthenticator {
  sign(content: Uint8Array): Uint8Array;
  verify(content: Uint8Array, mac: Uint8Array): boolean;
}

/** Thrown by encoding only (a programming error such as a body too big for the bound). */
export class PeerEnvelopeError extends Error {
  readonly code: 'oversized' | 'invalid-envelope';
  constructor(code: 'oversized' | 'invalid-envelope', message: string) {
    super(message);
    this.name = 'PeerEnvelopeError';
    this.code = code;
  }
}

const TIEBREAK_BITS = 10;
const TIEBREAK_RANGE = 1 << TIEBREAK_BITS;

/**
 * Builds an incarnation number from the wall clock at process start and a random tiebreak:
 * `wallClockMs * 1024 + (tiebreak mod 1024)`, a safe integer until about the year 2248.
 *
 * It only orders one sender's own restarts: a restart a millisecond or more later gets a larger
 * number, and two starts in the same millisecond are told apart by the tiebreak (with a 1/1024
 * chance of a tie, which is then ordered arbitrarily). Caveat: if the wall clock steps back
 * between two runs of the same node, the new run looks OLDER and its peers drop its datagrams
 * as `stale-incarnation` until they forget the old run ({@link ReplayTracker.forget}, e.g. when
 * the failure detector declares the node gone). A counter persisted on disk avoids this; any
 * positive safe integer is accepted as an incarnation.
 */
export function makeIncarnation(wallClockMs: number, tiebreak: number): number {
  const ms = Math.max(1, Math.floor(wallClockMs));
  const tie = ((Math.floor(tiebreak) % TIEBREAK_RANGE) + TIEBREAK_RANGE) % TIEBREAK_RANGE;
  return ms * TIEBREAK_RANGE + tie;
}

const encoder = new TextEncoder();

/**
 * The most bytes an envelope from `from` adds around its body: the header with the longest
 * incarnation and sequence numbers, and the MAC when `auth` is set. A body of at most
 * `bound - envelopeOverheadBytes(...)` bytes (ASCII) always makes an envelope within `bound`.
 */
export function envelopeOverheadBytes(from: string, auth?: MessageAuthenticator): number {
  const digits = String(Number.MAX_SAFE_INTEGER).length;
  const header = `{"v":${PEER_PROTOCOL_VERSION},"from":${JSON.stringify(from)},"inc":,"seq":,"body":}`;
  const mac = auth === undefined ? 0 : `,"mac":""`.length + 2 * auth.sign(new Uint8Array(0)).length;
  return encoder.encode(header).length + 2 * digits + mac;
}

/** Options shared by encoding and decoding. */
export interface EnvelopeFormatOptions {
  /** When set, envelopes are signed on encode and a valid MAC is required on decode. */
  auth?: MessageAuthenticator | undefined;
  /** Size bound in bytes, default {@link DEFAULT_MAX_ENVELOPE_BYTES}. */
  maxBytes?: number | undefined;
}

/** What the sender puts in an envelope (the version is added by the codec). */
export interface OutgoingEnvelope<B> {
  from: string;
  incarnation: number;
  seq: number;
  body: B;
}

/**
 * Encodes one envelope to bytes. The body must be JSON-serialisable and is NOT validated here
 * (the sender owns it). Throws {@link PeerEnvelopeError} if the header is invalid or the result
 * exceeds the size bound: a state too big to send is a bug to surface, not to hide.
 */
export function encodeEnvelope<B>(
  envelope: OutgoingEnvelope<B>,
  options: EnvelopeFormatOptions = {},
): Uint8Array {
  const { from, incarnation, seq, body } = envelope;
  if (from.length === 0 || from.length > MAX_SENDER_ID_LENGTH) {
    throw new PeerEnvelopeError(
      'invalid-envelope',
      `sender id length must be 1..${MAX_SENDER_ID_LENGTH}`,
    );
  }
  if (!isPositiveSafeInteger(incarnation)) {
    throw new PeerEnvelopeError('invalid-envelope', `incarnation must be a positive safe integer`);
  }
  if (!Number.isSafeInteger(seq) || seq < 0) {
    throw new PeerEnvelopeError('invalid-envelope', `seq must be a non-negative safe integer`);
  }
  const bodyJson: unknown = JSON.stringify(body);
  if (typeof bodyJson !== 'string') {
    throw new PeerEnvelopeError('invalid-envelope', 'body is not JSON-serialisable');
  }
  const unsigned = `{"v":${PEER_PROTOCOL_VERSION},"from":${JSON.stringify(from)},"inc":${incarnation},"seq":${seq},"body":${bodyJson}}`;
  const unsignedBytes = encoder.encode(unsigned);
  const bytes =
    options.auth === undefined
      ? unsignedBytes
      : encoder.encode(
          `${unsigned.slice(0, -1)},"mac":"${toHex(options.auth.sign(unsignedBytes))}"}`,
        );
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_ENVELOPE_BYTES;
  if (bytes.length > maxBytes) {
    throw new PeerEnvelopeError(
      'oversized',
      `encoded envelope is ${bytes.length} bytes, over the ${maxBytes}-byte bound`,
    );
  }
  return bytes;
}

/** Options for decoding untrusted bytes. */
export interface EnvelopeDecodeOptions<S extends z.ZodType> extends EnvelopeFormatOptions {
  /** Schema of the body (the world-view schema in the product). */
  bodySchema: S;
  /** This node's id: envelopes from it decode to `own-message`. */
  selfId?: string | undefined;
}

const MAC_PATTERN = /^(?:[0-9a-f]{2}){1,64}$/;

/**
 * The header's fields, checked by hand (it runs for every datagram heard): `from` a string of
 * 1..{@link MAX_SENDER_ID_LENGTH}, `inc` a positive and `seq` a non-negative safe integer, `mac`
 * absent or 1..64 bytes of lower-case hex. The problem found, or null.
 */
function headerProblem(raw: Record<string, unknown>): string | null {
  const { from, inc, seq, mac } = raw;
  if (typeof from !== 'string' || from.length < 1 || from.length > MAX_SENDER_ID_LENGTH)
    return `from: expected a string of 1 to ${MAX_SENDER_ID_LENGTH} characters`;
  if (typeof inc !== 'number' || !Number.isSafeInteger(inc) || inc < 1)
    return 'inc: expected a positive safe integer';
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0)
    return 'seq: expected a non-negative safe integer';
  if (mac !== undefined && (typeof mac !== 'string' || !MAC_PATTERN.test(mac)))
    return 'mac: expected lower-case hex';
  if (!('body' in raw)) return 'body: missing';
  return null;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes untrusted bytes into a validated envelope or a typed rejection. Never throws.
 * Stateless: it does not check replays (see {@link PeerEnvelopeCodec} / {@link ReplayTracker}).
 */
export function decodeEnvelope<S extends z.ZodType>(
  bytes: Uint8Array,
  options: EnvelopeDecodeOptions<S>,
): EnvelopeDecodeResult<z.output<S>> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_ENVELOPE_BYTES;
  if (bytes.length > maxBytes) {
    return reject('oversized', `${bytes.length} bytes, over the ${maxBytes}-byte bound`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(strictUtf8.decode(bytes));
  } catch {
    return reject('malformed', 'not UTF-8 JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return reject('malformed', 'not a JSON object');
  }
  // The version is checked before the rest of the header: another version may shape it differently.
  const version: unknown = (raw as Record<string, unknown>)['v'];
  if (typeof version !== 'number') return reject('malformed', 'no protocol version');
  if (version !== PEER_PROTOCOL_VERSION) {
    return reject(
      'foreign-version',
      `protocol version ${version}, expected ${PEER_PROTOCOL_VERSION}`,
    );
  }
  const problem = headerProblem(raw as Record<string, unknown>);
  if (problem !== null) return reject('malformed', `bad header: ${problem}`);
  const header = raw as { from: string; inc: number; seq: number; mac?: string; body: unknown };
  const { from, inc, seq, mac } = header;
  if (options.selfId !== undefined && from === options.selfId) {
    return reject('own-message', 'sent by this node', from);
  }
  if (options.auth !== undefined) {
    if (mac === undefined) return reject('missing-mac', 'a shared key is set; no mac', from);
    const unsigned = unsignedContent(bytes, mac);
    if (unsigned === undefined || !options.auth.verify(unsigned, fromHex(mac))) {
      return reject('bad-mac', 'mac does not verify', from);
    }
  }
  const body = options.bodySchema.safeParse(header.body);
  if (!body.success) return reject('malformed', `bad body: ${summarize(body.error)}`, from);
  return {
    ok: true,
    envelope: { version, from, incarnation: inc, seq, body: body.data },
  };
}

/** The verdict of the replay tracker on one envelope. */
export type ReplayVerdict = 'ok' | 'replay' | 'stale-incarnation';

/**
 * Per-sender replay protection (pure). Accepts an envelope only if it is from a newer
 * incarnation than any seen from that sender, or from the newest incarnation with a sequence
 * number greater than the last accepted one. Duplicates and reordered older datagrams are
 * therefore rejected, which is what whole-state broadcast wants: a newer state supersedes.
 *
 * Memory is bounded: beyond `maxSenders` the least recently accepted sender is forgotten (its
 * next datagram is then accepted as if new). Only authenticated envelopes should reach the
 * tracker when a key is set, so a forger cannot evict real peers.
 */
export class ReplayTracker {
  readonly #maxSenders: number;
  // Map iteration order is insertion order; re-inserting on accept keeps it least-recent-first.
  readonly #latest = new Map<string, { incarnation: number; seq: number }>();

  constructor(options: { maxSenders?: number } = {}) {
    this.#maxSenders = Math.max(1, options.maxSenders ?? DEFAULT_MAX_TRACKED_SENDERS);
  }

  /** Checks one envelope and, if it is accepted, records it as the newest from its sender. */
  check(from: string, incarnation: number, seq: number): ReplayVerdict {
    const known = this.#latest.get(from);
    if (known !== undefined) {
      if (incarnation < known.incarnation) return 'stale-incarnation';
      if (incarnation === known.incarnation && seq <= known.seq) return 'replay';
      this.#latest.delete(from);
    } else if (this.#latest.size >= this.#maxSenders) {
      const oldest = this.#latest.keys().next();
      if (oldest.done !== true) this.#latest.delete(oldest.value);
    }
    this.#latest.set(from, { incarnation, seq });
    return 'ok';
  }

  /** Forgets a sender (e.g. declared dead), so its next incarnation is accepted whatever its number. */
  forget(from: string): void {
    this.#latest.delete(from);
  }

  /** The newest incarnation and sequence accepted from a sender, if remembered. */
  latest(from: string): { incarnation: number; seq: number } | undefined {
    const known = this.#latest.get(from);
    return known === undefined ? undefined : { ...known };
  }

  /** Number of senders remembered. */
  get size(): number {
    return this.#latest.size;
  }
}

/** Counters of a {@link PeerEnvelopeCodec}. */
export interface PeerEnvelopeStats {
  encoded: number;
  accepted: number;
  /** Rejected datagrams by reason. */
  rejected: Record<EnvelopeRejectCode, number>;
}

/** Options of a {@link PeerEnvelopeCodec}. */
export interface PeerEnvelopeCodecOptions<S extends z.ZodType> extends EnvelopeFormatOptions {
  selfId: string;
  /** This process's incarnation (see {@link makeIncarnation}, or a counter kept on disk). */
  incarnation: number;
  bodySchema: S;
  /** Bound of the replay tracker, default {@link DEFAULT_MAX_TRACKED_SENDERS}. */
  maxTrackedSenders?: number;
  /** First sequence number to send, default 1. */
  firstSeq?: number;
}

/**
 * One node's envelope codec: numbers outgoing envelopes, and decodes incoming ones with every
 * check including replay protection, counting rejections by reason.
 */
export class PeerEnvelopeCodec<S extends z.ZodType> {
  readonly selfId: string;
  readonly incarnation: number;
  readonly stats: PeerEnvelopeStats;
  readonly #options: PeerEnvelopeCodecOptions<S>;
  readonly #tracker: ReplayTracker;
  #nextSeq: number;

  constructor(options: PeerEnvelopeCodecOptions<S>) {
    if (!isPositiveSafeInteger(options.incarnation)) {
      throw new PeerEnvelopeError(
        'invalid-envelope',
        'incarnation must be a positive safe integer',
      );
    }
    this.selfId = options.selfId;
    this.incarnation = options.incarnation;
    this.#options = options;
    this.#tracker = new ReplayTracker(
      options.maxTrackedSenders === undefined ? {} : { maxSenders: options.maxTrackedSenders },
    );
    this.#nextSeq = options.firstSeq ?? 1;
    this.stats = {
      encoded: 0,
      accepted: 0,
      rejected: Object.fromEntries(ENVELOPE_REJECT_CODES.map((code) => [code, 0])) as Record<
        EnvelopeRejectCode,
        number
      >,
    };
  }

  /** Encodes a body in the next envelope of this incarnation. Throws only on a programming error. */
  encode(body: z.input<S>): Uint8Array {
    const bytes = encodeEnvelope(
      { from: this.selfId, incarnation: this.incarnation, seq: this.#nextSeq, body },
      this.#options,
    );
    this.#nextSeq += 1;
    this.stats.encoded += 1;
    return bytes;
  }

  /** The sequence number the next `encode` will use. */
  get nextSeq(): number {
    return this.#nextSeq;
  }

  /** Decodes untrusted bytes; never throws. Accepted envelopes update the replay tracker. */
  decode(bytes: Uint8Array): EnvelopeDecodeResult<z.output<S>> {
    const result = decodeEnvelope(bytes, { ...this.#options, selfId: this.selfId });
    if (!result.ok) {
      this.stats.rejected[result.code] += 1;
      return result;
    }
    const { from, incarnation, seq } = result.envelope;
    const verdict = this.#tracker.check(from, incarnation, seq);
    if (verdict !== 'ok') {
      this.stats.rejected[verdict] += 1;
      return reject(
        verdict,
        verdict === 'replay'
          ? `seq ${seq} not after the last accepted from this incarnation`
          : `incarnation ${incarnation} older than the newest seen`,
        from,
      );
    }
    this.stats.accepted += 1;
    return result;
  }

  /** Forgets a sender in the replay tracker (see {@link ReplayTracker.forget}). */
  forgetSender(from: string): void {
    this.#tracker.forget(from);
  }
}

function reject(code: EnvelopeRejectCode, message: string, from?: string): EnvelopeRejection {
  return from === undefined ? { ok: false, code, message } : { ok: false, code, message, from };
}

function isPositiveSafeInteger(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0;
}

function summarize(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path === '' ? issue.message : `${path}: ${issue.message}`;
}

const MAC_SUFFIX_OPEN = encoder.encode(',"mac":"');
const MAC_SUFFIX_CLOSE = encoder.encode('"}');

/**
 * The signed bytes of a datagram whose mac is `macHex`: the datagram must END with exactly
 * `,"mac":"<macHex>"}`; the content is what precedes it, closed with `}`. Undefined if the
 * datagram does not have that exact layout (then it cannot verify).
 */
function unsignedContent(bytes: Uint8Array, macHex: string): Uint8Array | undefined {
  const suffixLength = MAC_SUFFIX_OPEN.length + macHex.length + MAC_SUFFIX_CLOSE.length;
  const start = bytes.length - suffixLength;
  if (start < 1) return undefined;
  let at = start;
  for (const byte of MAC_SUFFIX_OPEN) if (bytes[at++] !== byte) return undefined;
  for (let i = 0; i < macHex.length; i++)
    if (bytes[at++] !== macHex.charCodeAt(i)) return undefined;
  for (const byte of MAC_SUFFIX_CLOSE) if (bytes[at++] !== byte) return undefined;
  const content = new Uint8Array(start + 1);
  content.set(bytes.subarray(0, start));
  content[start] = 0x7d; // '}'
  return content;
}

function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
