import { describe, expect, it } from 'vitest';
import { createAssigner } from '../../src/core/assigner/index.js';
import type { AssignerInput } from '../../src/core/assigner/index.js';
import { SystemViewAggregator } from '../../src/dashboard/system-view.js';
import { worldMessageSchema } from '../../src/protocol/world-message.js';
import { type WorldMessage } from '../../src/core/view-message.js';
import { registerIn, world } from './world-builder.js';

function aggregator(assign = createAssigner('reference')) {
  return new SystemViewAggregator({ assign, peerTimeoutMs: 1000 });
}

function texts(agg: SystemViewAggregator): string[] {
  return agg.view().log.map((e) => e.text);
}

function hear(agg: SystemViewAggregator, from: string, body: WorldMessage, at: number, inc = 1) {
  // Everything the tests feed is a valid message, as the monitor only ingests decoded ones.
  expect(worldMessageSchema.safeParse(body).success).toBe(true);
  agg.ingest({ from, incarnation: inc, body }, at);
}

describe('SystemViewAggregator: peers', () => {
  it('shows nodes alive, lost after the timeout, and rejoined (after a restart)', () => {
    const agg = aggregator();
    hear(agg, 'B', world({ alive: ['A', 'B'] }), 0);
    hear(agg, 'A', world({ alive: ['A', 'B'] }), 10);
    let v = agg.view();
    expect(v.nodes.map((n) => [n.id, n.status, n.sees])).toEqual([
      ['A', 'alive', ['B']],
      ['B', 'alive', ['A']],
    ]);

    hear(agg, 'A', world({ alive: ['A', 'B'] }), 900);
    agg.tick(1000); // B silent for 1000 ms: not more than the timeout yet
    expect(agg.isAlive('B')).toBe(true);
    agg.tick(1001);
    v = agg.view();
    expect(v.nodes.find((n) => n.id === 'B')?.status).toBe('lost');
    expect(v.nodes.find((n) => n.id === 'B')?.since).toBe(1001);
    expect(v.nodes.find((n) => n.id === 'A')?.status).toBe('alive');
    expect(texts(agg)).toContain('B lost (silent for 1001 ms)');

    hear(agg, 'A', world({ alive: ['A'] }), 1100);
    expect(texts(agg)).toContain('A no longer hears B');

    hear(agg, 'B', world({ alive: ['B'] }), 2000, 2);
    v = agg.view();
    const b = v.nodes.find((n) => n.id === 'B');
    expect(b?.status).toBe('alive');
    expect(b?.restarts).toBe(1);
    expect(b?.incarnation).toBe(2);
    expect(texts(agg)).toContain('B rejoined after a restart');
    expect(v.log.map((e) => e.kind)).toEqual([
      'peerJoined',
      'peerJoined',
      'peerLost',
      'peerView',
      'peerRejoined',
    ]);
  });

  it('logs a restart of a node that never went silent', () => {
    const agg = aggregator();
    hear(agg, 'A', world(), 0, 5);
    hear(agg, 'A', world(), 30, 6);
    expect(texts(agg)).toEqual(['A joined', 'A restarted']);
    expect(agg.view().nodes[0]?.restarts).toBe(1);
  });

  it('counts rejected datagrams by reason', () => {
    const agg = aggregator();
    agg.rejected('bad-mac');
    agg.rejected('bad-mac');
    agg.rejected('malformed');
    expect(agg.view().traffic).toEqual({
      accepted: 0,
      rejected: { 'bad-mac': 2, malformed: 1 },
    });
  });
});

describe('SystemViewAggregator: calls', () => {
  it('follows a hall call from unconfirmed to confirmed (assigned) to served', () => {
    const agg = aggregator();
    const a = { elevator: { floor: 0 }, alive: ['A', 'B'] };
    const b = { elevator: { floor: 3 }, alive: ['A', 'B'] };
    hear(agg, 'A', world(a), 0);
    hear(agg, 'B', world(b), 0);
    const pending = registerIn('unconfirmed', 'A', 100, ['A']);
    hear(agg, 'A', world({ ...a, hall: { '3:down': pending } }), 10);
    expect(agg.view().hall[3]?.[1]).toEqual({
      phase: 'unconfirmed',
      assignedTo: null,
      witnesses: ['A'],
    });

    hear(agg, 'A', world({ ...a, hall: { '3:down': 'confirmed' } }), 20);
    // B idles at floor 3: the reference assigner gives it the call.
    expect(agg.view().hall[3]?.[1]).toEqual({
      phase: 'confirmed',
      assignedTo: 'B',
      witnesses: [],
    });

    // B serves it; A still reports it confirmed: the join says served.
    hear(agg, 'B', world({ ...b, hall: { '3:down': 'served' } }), 30);
    expect(agg.view().hall[3]?.[1]?.phase).toBe('none');
    hear(agg, 'A', world({ ...a, hall: { '3:down': 'confirmed' } }), 40);
    expect(agg.view().hall[3]?.[1]?.phase).toBe('none');

    expect(texts(agg).slice(2)).toEqual([
      'Hall ↓ at floor 3 pressed (unconfirmed)',
      'Hall ↓ at floor 3 confirmed → B',
      'Hall ↓ at floor 3 served',
    ]);
  });

  it('shows the assignment the nodes compute (same assigner, same input)', () => {
    const calls: AssignerInput[] = [];
    const reference = createAssigner('reference');
    const agg = aggregator((input) => {
      calls.push(structuredClone(input));
      return reference(input);
    });
    hear(agg, 'A', world({ elevator: { floor: 1, behaviour: 'moving', direction: 'up' } }), 0);
    hear(agg, 'B', world({ elevator: { floor: 2, behaviour: 'init', direction: 'stop' } }), 0);
    // C is out of service: not a candidate. D has no floor yet: not a candidate either.
    hear(agg, 'C', world({ elevator: { floor: 0, available: false, motorFailed: true } }), 0);
    hear(agg, 'D', world({ elevator: { floor: null, behaviour: 'init', available: false } }), 0);
    hear(
      agg,
      'A',
      world({
        elevator: { floor: 1, behaviour: 'moving', direction: 'up' },
        hall: { '0:up': 'confirmed', '2:down': 'unconfirmed' },
        cab: { A: { 3: 'confirmed' }, B: { 0: 'unconfirmed' } },
      }),
      10,
    );
    expect(calls.at(-1)).toEqual({
      hallRequests: [
        [true, false],
        [false, false],
        [false, false],
        [false, false],
      ],
      states: {
        A: {
          behaviour: 'moving',
          floor: 1,
          direction: 'up',
          cabRequests: [false, false, false, true],
        },
        // 'init' counts as moving down, as in the node's controller.
        B: {
          behaviour: 'moving',
          floor: 2,
          direction: 'down',
          cabRequests: [false, false, false, false],
        },
      },
    });
    const expected = reference(calls.at(-1) as AssignerInput);
    const owner = Object.entries(expected).find(([, m]) => m[0]?.[0] === true)?.[0];
    expect(agg.view().hall[0]?.[0]?.assignedTo).toBe(owner);
    // Same input again: the assigner does not run again.
    const runs = calls.length;
    hear(
      agg,
      'A',
      world({
        elevator: { floor: 1, behaviour: 'moving', direction: 'up' },
        hall: { '0:up': 'confirmed', '2:down': 'unconfirmed' },
        cab: { A: { 3: 'confirmed' }, B: { 0: 'unconfirmed' } },
      }),
      20,
    );
    expect(calls.length).toBe(runs);
  });

  it("shows the assignment of the strategy the nodes announce, not only the monitor's own", () => {
    // Two assigners that can only disagree: one gives every call to A, the other to B.
    const toOnly = (id: string) => (input: AssignerInput) =>
      Object.fromEntries(
        Object.keys(input.states).map((k) => [
          k,
          input.hallRequests.map(([u, d]) => [u && k === id, d && k === id] as [boolean, boolean]),
        ]),
      );
    const agg = new SystemViewAggregator({
      assign: toOnly('A'),
      assignerFor: (name) => (name === 'to-b' ? toOnly('B') : undefined),
      peerTimeoutMs: 1000,
    });
    const alive = ['A', 'B'];
    const hall = { '2:up': 'confirmed' } as const;
    hear(agg, 'A', world({ alive, hall }), 0);
    hear(agg, 'B', world({ alive, hall }), 0);
    expect(agg.dispatchName()).toBeNull();
    expect(agg.view().hall[2]?.[0]?.assignedTo).toBe('A');
    hear(agg, 'A', { ...world({ alive, hall }), dispatch: 'to-b' }, 10);
    expect(agg.dispatchName()).toBe('to-b');
    expect(agg.view().hall[2]?.[0]?.assignedTo).toBe('B');
    // An unknown strategy falls back to the monitor's own assigner.
    hear(agg, 'A', { ...world({ alive, hall }), dispatch: 'unheard-of' }, 20);
    expect(agg.view().hall[2]?.[0]?.assignedTo).toBe('A');
  });

  it('logs a reassignment when the assigned elevator goes out of service', () => {
    const agg = aggregator();
    const alive = ['A', 'B'];
    hear(agg, 'A', world({ elevator: { floor: 3 }, alive }), 0);
    hear(agg, 'B', world({ elevator: { floor: 0 }, alive, hall: { '3:down': 'confirmed' } }), 0);
    expect(agg.view().hall[3]?.[1]?.assignedTo).toBe('A');
    hear(
      agg,
      'A',
      world({ elevator: { floor: 3, available: false, motorFailed: true }, alive }),
      10,
    );
    const v = agg.view();
    expect(v.hall[3]?.[1]?.assignedTo).toBe('B');
    expect(v.nodes.find((n) => n.id === 'A')?.outOfService).toBe('motor');
    expect(texts(agg)).toContain('A out of service: motor failed');
    expect(texts(agg)).toContain('Hall ↓ at floor 3 reassigned A → B');

    hear(agg, 'A', world({ elevator: { floor: 3 }, alive }), 20);
    expect(texts(agg)).toContain('A back in service');
    expect(agg.view().nodes.find((n) => n.id === 'A')?.outOfService).toBeNull();
  });

  it("keeps a lost elevator's cab calls from its peers' copies, and never assigns it", () => {
    const agg = aggregator();
    const cab = { A: { 2: 'confirmed' as const } };
    hear(agg, 'A', world({ elevator: { floor: 2 }, cab }), 0);
    hear(agg, 'B', world({ elevator: { floor: 0 }, cab }), 0);
    hear(agg, 'B', world({ elevator: { floor: 0 }, cab }), 1500);
    agg.tick(1500);
    hear(agg, 'B', world({ elevator: { floor: 0 }, cab, hall: { '2:up': 'confirmed' } }), 1510);
    const v = agg.view();
    expect(v.nodes.find((n) => n.id === 'A')?.status).toBe('lost');
    expect(v.nodes.find((n) => n.id === 'A')?.cab).toEqual(['none', 'none', 'confirmed', 'none']);
    expect(v.hall[2]?.[0]?.assignedTo).toBe('B');
    expect(texts(agg)).toContain('Cab call in A to floor 2 confirmed');
  });

  it("ignores a lost node's stale calls", () => {
    const agg = aggregator();
    hear(agg, 'A', world({ hall: { '1:up': 'confirmed' } }), 0);
    hear(agg, 'B', world(), 0);
    expect(agg.view().hall[1]?.[0]?.phase).toBe('confirmed');
    hear(agg, 'B', world(), 1500);
    expect(agg.view().hall[1]?.[0]?.phase).toBe('none');
    expect(texts(agg)).toContain('Hall ↑ at floor 1 served');
  });
});

describe('SystemViewAggregator: elevators', () => {
  it('logs arrivals (door opens), obstruction, and a lost elevator server', () => {
    const agg = aggregator();
    hear(agg, 'A', world({ elevator: { floor: 1, behaviour: 'moving', direction: 'up' } }), 0);
    hear(agg, 'A', world({ elevator: { floor: 2, behaviour: 'doorOpen', direction: 'up' } }), 10);
    hear(agg, 'A', world({ elevator: { floor: 2, behaviour: 'doorOpen', direction: 'up' } }), 20);
    hear(agg, 'A', world({ elevator: { floor: 2, behaviour: 'doorOpen', obstructed: true } }), 30);
    hear(
      agg,
      'A',
      world({ elevator: { floor: 2, behaviour: 'doorOpen', obstructed: true, available: false } }),
      40,
    );
    hear(agg, 'A', world({ elevator: { floor: 2, connected: false } }), 50);
    expect(texts(agg)).toEqual([
      'A joined',
      'A arrived at floor 2 (door open)',
      'A: door obstructed',
      'A out of service: door obstructed too long',
      'A: obstruction cleared',
      'A out of service: no connection to its elevator',
    ]);
    expect(agg.view().nodes[0]?.elevator.connected).toBe(false);
  });

  it('keeps a bounded log with increasing ids', () => {
    const agg = new SystemViewAggregator({
      assign: createAssigner('reference'),
      maxLogEntries: 3,
    });
    for (let i = 0; i < 5; i++) agg.note(i, `n${i}`);
    const log = agg.view().log;
    expect(log.map((e) => e.text)).toEqual(['n2', 'n3', 'n4']);
    expect(log.map((e) => e.id)).toEqual([3, 4, 5]);
    expect(log.every((e) => e.kind === 'demo')).toBe(true);
  });
});
