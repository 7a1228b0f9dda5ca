/**
 * During a building's upgrade, a node of the other peer protocol version is refused clearly: its
 * datagrams never reach the controller, each is counted by reason (`foreign-version` in
 * `elevator_messages_dropped_total`), and the node logs the refusal with the version it saw, so
 * an operator reading the log knows why the two groups do not see each other.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { PEER_PROTOCOL_VERSION } from '../protocol/peer-envelope.js';
import { startHarnessNode, type HarnessNode } from '../testing/node-harness.js';

const nodes: HarnessNode[] = [];
afterEach(async () => {
  for (const n of nodes.splice(0)) await n.stop();
});

/** A logger at level warn whose JSON lines land in `lines`. */
function capturingLogger(lines: Record<string, unknown>[]): pino.Logger {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return pino({ level: 'warn' }, sink);
}

describe('a peer of another protocol version', () => {
  it('is refused: never reaches the controller, counted and logged as foreign-version', async () => {
    const lines: Record<string, unknown>[] = [];
    const a = await startHarnessNode({ config: { id: 'a' }, logger: capturingLogger(lines) });
    const b = await startHarnessNode({ config: { id: 'b' } });
    nodes.push(a, b);

    // b's real broadcast reaches a and is accepted: the two speak the same version.
    b.broadcast();
    const datagram = b.transport.sent.at(-1);
    if (datagram === undefined) throw new Error('b broadcast nothing');
    a.transport.inject(datagram);
    expect(a.accepted).toBe(1);

    // The same message from a node one protocol version older, and one newer.
    const json = JSON.parse(new TextDecoder().decode(datagram)) as { v: number; seq: number };
    for (const v of [PEER_PROTOCOL_VERSION - 1, PEER_PROTOCOL_VERSION + 1]) {
      const foreign = { ...json, v, seq: json.seq + v + 1 };
      a.transport.inject(new TextEncoder().encode(JSON.stringify(foreign)));
    }
    expect(a.accepted).toBe(1);
    expect(a.metrics.messagesDropped.get({ reason: 'foreign-version' })).toBe(2);
    expect(a.metrics.registry.render()).toContain(
      'elevator_messages_dropped_total{reason="foreign-version"} 2',
    );
    // The first refusal of a reason is logged at once, with the version seen.
    const refusals = lines.filter((l) => l.msg === 'peer message dropped');
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({
      level: 40,
      reason: 'foreign-version',
      count: 1,
      detail: `protocol version ${PEER_PROTOCOL_VERSION - 1}, expected ${PEER_PROTOCOL_VERSION}`,
    });
  });
});
