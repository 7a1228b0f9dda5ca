import { describe, expect, it } from 'vitest';
import {
  Counter,
  Gauge,
  Histogram,
  MetricsRegistry,
  countSentDatagrams,
  createNodeMetrics,
  escapeHelp,
  escapeLabelValue,
  formatValue,
} from './metrics.js';

describe('Prometheus text format', () => {
  it('escapes label values: backslash, quote, newline', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeLabelValue('plain é ✓')).toBe('plain é ✓');
  });

  it('escapes HELP: backslash and newline, but not quotes', () => {
    expect(escapeHelp('say "hi"\\\nbye')).toBe('say "hi"\\\\\\nbye');
  });

  it('spells special floats the Prometheus way', () => {
    expect([Infinity, -Infinity, NaN, 0, 1.5, 1e21].map(formatValue)).toEqual([
      '+Inf',
      '-Inf',
      'NaN',
      '0',
      '1.5',
      '1e+21',
    ]);
  });

  it('renders counters and gauges with HELP, TYPE and labels in declaration order', () => {
    const r = new MetricsRegistry();
    const c = r.counter('jobs_total', 'Jobs done.\nAll of them.', ['queue', 'result']);
    const g = r.gauge('temperature', 'Current "temperature".');
    c.inc({ result: 'ok', queue: 'a"b' });
    c.inc({ queue: 'a"b', result: 'ok' }, 2);
    c.inc({ queue: 'x\\y\nz', result: 'fail' });
    g.set(-3.25);
    expect(r.render()).toBe(
      [
        '# HELP jobs_total Jobs done.\\nAll of them.',
        '# TYPE jobs_total counter',
        'jobs_total{queue="a\\"b",result="ok"} 3',
        'jobs_total{queue="x\\\\y\\nz",result="fail"} 1',
        '# HELP temperature Current "temperature".',
        '# TYPE temperature gauge',
        'temperature -3.25',
        '',
      ].join('\n'),
    );
    expect(c.get({ queue: 'a"b', result: 'ok' })).toBe(3);
    expect(g.get()).toBe(-3.25);
  });

  it('shows an unlabelled metric at 0 before its first update', () => {
    const r = new MetricsRegistry();
    r.counter('a_total', 'A.');
    expect(r.render()).toBe('# HELP a_total A.\n# TYPE a_total counter\na_total 0\n');
  });

  it('renders histograms with cumulative buckets, +Inf, sum and count', () => {
    const h = new Histogram('lat_seconds', 'Latency.', [0.01, 0.1, 1]);
    for (const v of [0.005, 0.01, 0.05, 0.5, 2, NaN]) h.observe(v);
    expect(h.render()).toBe(
      [
        '# HELP lat_seconds Latency.',
        '# TYPE lat_seconds histogram',
        'lat_seconds_bucket{le="0.01"} 2',
        'lat_seconds_bucket{le="0.1"} 3',
        'lat_seconds_bucket{le="1"} 4',
        'lat_seconds_bucket{le="+Inf"} 5',
        'lat_seconds_sum 2.565',
        'lat_seconds_count 5',
        '',
      ].join('\n'),
    );
  });

  it('rejects programming errors loudly', () => {
    const r = new MetricsRegistry();
    const c = r.counter('c_total', 'C.', ['kind']);
    expect(() => r.gauge('c_total', 'again')).toThrow(/registered twice/);
    expect(() => new Counter('bad-name', 'x')).toThrow(/invalid metric name/);
    expect(() => new Gauge('g', 'x', ['__reserved'])).toThrow(/invalid label name/);
    expect(() => new Gauge('g', 'x', ['le'])).toThrow(/invalid label name/);
    expect(() => new Gauge('g', 'x', ['a', 'a'])).toThrow(/duplicate/);
    expect(() => c.inc({ kind: 'a' }, -1)).toThrow(/only go up/);
    expect(() => c.inc({ wrong: 'a' } as unknown as { kind: string })).toThrow(/takes labels/);
    expect(() => new Histogram('h', 'x', [1, 1])).toThrow(/strictly increasing/);
  });
});

describe('createNodeMetrics', () => {
  it('exposes the node metrics with the fixed series at 0', () => {
    const text = createNodeMetrics().registry.render();
    for (const line of [
      '# TYPE elevator_peers_alive gauge',
      'elevator_peers_alive 0',
      'elevator_calls{kind="hall",state="unconfirmed"} 0',
      'elevator_calls{kind="hall",state="confirmed"} 0',
      'elevator_calls{kind="cab",state="unconfirmed"} 0',
      'elevator_calls{kind="cab",state="confirmed"} 0',
      '# TYPE elevator_reassignments_total counter',
      'elevator_reassignments_total 0',
      '# TYPE elevator_messages_dropped_total counter',
      'elevator_server_reconnects_total 0',
      '# TYPE elevator_control_loop_latency_seconds histogram',
      'elevator_control_loop_latency_seconds_bucket{le="+Inf"} 0',
      'elevator_control_loop_latency_seconds_count 0',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });

  it('records what the node reports', () => {
    const m = createNodeMetrics();
    m.peersAlive.set(2);
    m.setCalls({ hall: { unconfirmed: 1, confirmed: 3 }, cab: { unconfirmed: 0, confirmed: 2 } });
    m.reassignments.inc();
    m.messagesDropped.inc({ reason: 'malformed' });
    m.messagesDropped.inc({ reason: 'bad-signature' }, 4);
    m.serverReconnects.inc();
    m.controlLoopLatency.observe(0.002);
    const lines = m.registry.render().split('\n');
    expect(lines).toContain('elevator_peers_alive 2');
    expect(lines).toContain('elevator_calls{kind="hall",state="confirmed"} 3');
    expect(lines).toContain('elevator_calls{kind="cab",state="confirmed"} 2');
    expect(lines).toContain('elevator_reassignments_total 1');
    expect(lines).toContain('elevator_messages_dropped_total{reason="malformed"} 1');
    expect(lines).toContain('elevator_messages_dropped_total{reason="bad-signature"} 4');
    expect(lines).toContain('elevator_server_reconnects_total 1');
    expect(lines).toContain('elevator_control_loop_latency_seconds_bucket{le="0.001"} 0');
    expect(lines).toContain('elevator_control_loop_latency_seconds_bucket{le="0.0025"} 1');
    expect(lines).toContain('elevator_control_loop_latency_seconds_count 1');
  });

  it('counts the datagrams a transport sends, their bytes and the largest', () => {
    const m = createNodeMetrics();
    const sent: number[] = [];
    const transport = countSentDatagrams(
      { broadcast: (d: Uint8Array) => void sent.push(d.length) },
      m,
    );
    for (const n of [100, 1200, 300]) transport.broadcast(new Uint8Array(n));
    expect(sent).toEqual([100, 1200, 300]);
    const lines = m.registry.render().split('\n');
    expect(lines).toContain('elevator_peer_sent_datagrams_total 3');
    expect(lines).toContain('elevator_peer_sent_bytes_total 1600');
    expect(lines).toContain('elevator_peer_datagram_max_bytes 1200');
  });

  it('every sample line parses as name{labels} value', () => {
    const m = createNodeMetrics();
    m.messagesDropped.inc({ reason: 'odd "reason"\nwith\\stuff' });
    const sample =
      /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? \S+$/;
    for (const line of m.registry.render().trimEnd().split('\n')) {
      if (!line.startsWith('#')) expect(line).toMatch(sample);
    }
  });
});
