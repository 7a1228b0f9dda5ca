/**
 * A tiny metrics registry rendering the Prometheus text exposition format (version 0.0.4), and
 * the node's own metrics on top of it. Pure: no I/O and no clock; the node measures durations
 * and the metrics server (`src/io/metrics-server.ts`) serves {@link MetricsRegistry.render}.
 */

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export type Labels<L extends string> = { readonly [K in L]: string };

/** Escapes a label value: backslash, double quote and line feed. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Escapes HELP text: backslash and line feed. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Formats a sample value: Prometheus spells the special floats `+Inf`, `-Inf`, `NaN`. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function formatLabels(names: readonly string[], values: readonly string[]): string {
  if (names.length === 0) return '';
  return `{${names.map((n, i) => `${n}="${escapeLabelValue(values[i]!)}"`).join(',')}}`;
}

interface Renderable {
  readonly name: string;
  render(): string;
}

/** Shared label bookkeeping: one series per distinct label-value tuple, in first-use order. */
abstract class Metric<L extends string> implements Renderable {
  protected readonly series = new Map<string, { values: string[]; state: number[] }>();
  /** The one series of a metric without labels. */
  private unlabelled: number[] | undefined;
  protected abstract readonly type: 'counter' | 'gauge';

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
    for (const l of labelNames) {
      if (!LABEL_NAME.test(l) || l.startsWith('__') || l === 'le') {
        throw new Error(`invalid label name ${JSON.stringify(l)} on ${name}`);
      }
    }
    if (new Set(labelNames).size !== labelNames.length) {
      throw new Error(`duplicate label name on ${name}`);
    }
    // An unlabelled metric has exactly one series; expose it at 0 from the start.
    if (labelNames.length === 0) this.unlabelled = this.at(undefined);
  }

  protected abstract initialState(): number[];

  /** The state of one series, created on first use. Wrong label names are a programming error. */
  protected at(labels: Labels<L> | undefined): number[] {
    // The hot path (a gauge set after every control-loop step): no label bookkeeping at all.
    if (labels === undefined && this.unlabelled !== undefined) return this.unlabelled;
    const given = labels === undefined ? [] : Object.keys(labels);
    if (
      given.length !== this.labelNames.length ||
      !this.labelNames.every((n) => labels !== undefined && typeof labels[n] === 'string')
    ) {
      throw new Error(
        `${this.name} takes labels {${this.labelNames.join(',')}}, got {${given.join(',')}}`,
      );
    }
    const values = this.labelNames.map((n) => (labels as Labels<L>)[n]);
    const id = JSON.stringify(values);
    let entry = this.series.get(id);
    if (!entry) {
      entry = { values, state: this.initialState() };
      this.series.set(id, entry);
    }
    return entry.state;
  }

  protected header(): string {
    return `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n`;
  }

  render(): string {
    let out = this.header();
    for (const { values, state } of this.series.values()) {
      out += `${this.name}${formatLabels(this.labelNames, values)} ${formatValue(state[0]!)}\n`;
    }
    return out;
  }
}

/** A value that only goes up. */
export class Counter<L extends string = never> extends Metric<L> {
  constructor(name: string, help: string, labelNames: readonly L[] = []) {
    super(name, help, labelNames);
  }

  protected readonly type = 'counter';

  protected initialState(): number[] {
    return [0];
  }

  /** Adds `by` (default 1, must be >= 0). Also makes the series visible at 0 when `by` is 0. */
  inc(...args: [L] extends [never] ? [by?: number] : [labels: Labels<L>, by?: number]): void {
    const [labels, by] = this.split(args);
    if (!(by >= 0)) throw new Error(`${this.name}: counters only go up (got ${by})`);
    this.at(labels)[0]! += by;
  }

  /** The current value of one series (0 when never touched). */
  get(...args: [L] extends [never] ? [] : [labels: Labels<L>]): number {
    const labels = args[0];
    return this.at(labels)[0]!;
  }

  private split(args: unknown[]): [Labels<L> | undefined, number] {
    if (this.labelNames.length === 0) return [undefined, (args[0] as number | undefined) ?? 1];
    return [args[0] as Labels<L>, (args[1] as number | undefined) ?? 1];
  }
}

/** A value that goes up and down. */
export class Gauge<L extends string = never> extends Metric<L> {
  constructor(name: string, help: string, labelNames: readonly L[] = []) {
    super(name, help, labelNames);
  }

  protected readonly type = 'gauge';

  protected initialState(): number[] {
    return [0];
  }

  set(...args: [L] extends [never] ? [value: number] : [labels: Labels<L>, value: number]): void {
    if (this.labelNames.length === 0) this.at(undefined)[0] = args[0] as number;
    else this.at(args[0] as Labels<L>)[0] = args[1] as number;
  }

  get(...args: [L] extends [never] ? [] : [labels: Labels<L>]): number {
    return this.at(args[0])[0]!;
  }
}

/** A histogram without labels: cumulative buckets, sum and count. */
export class Histogram implements Renderable {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {
    if (!METRIC_NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
    if (buckets.length === 0 || buckets.some((b, i) => i > 0 && !(b > buckets[i - 1]!))) {
      throw new Error(`${name}: buckets must be non-empty and strictly increasing`);
    }
    this.counts = buckets.map(() => 0);
  }

  /** Records one observation. NaN is ignored (it would poison the sum forever). */
  observe(value: number): void {
    if (Number.isNaN(value)) return;
    this.count += 1;
    this.sum += value;
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) this.counts[i]! += 1;
  }

  /** Observations so far, and their sum. */
  snapshot(): { count: number; sum: number } {
    return { count: this.count, sum: this.sum };
  }

  render(): string {
    let out = `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} histogram\n`;
    let cumulative = 0;
    this.buckets.forEach((b, i) => {
      cumulative += this.counts[i]!;
      out += `${this.name}_bucket{le="${formatValue(b)}"} ${cumulative}\n`;
    });
    out += `${this.name}_bucket{le="+Inf"} ${this.count}\n`;
    out += `${this.name}_sum ${formatValue(this.sum)}\n`;
    out += `${this.name}_count ${this.count}\n`;
    return out;
  }
}

/** Holds metrics and renders them all, in registration order. */
export class MetricsRegistry {
  private readonly metrics = new Map<string, Renderable>();

  private add<M extends Renderable>(metric: M): M {
    if (this.metrics.has(metric.name)) throw new Error(`metric ${metric.name} registered twice`);
    this.metrics.set(metric.name, metric);
    return metric;
  }

  counter<L extends string = never>(name: string, help: string, labelNames?: readonly L[]) {
    return this.add(new Counter<L>(name, help, labelNames));
  }

  gauge<L extends string = never>(name: string, help: string, labelNames?: readonly L[]) {
    return this.add(new Gauge<L>(name, help, labelNames));
  }

  histogram(name: string, help: string, buckets: readonly number[]) {
    return this.add(new Histogram(name, help, buckets));
  }

  /** The whole registry in the Prometheus text format (ends with a newline). */
  render(): string {
    return [...this.metrics.values()].map((m) => m.render()).join('');
  }
}

// ---------------------------------------------------------------------------------------------
// The node's metrics.

export type CallKind = 'hall' | 'cab';
export type CallState = 'unconfirmed' | 'confirmed';

/** Latency buckets in seconds: the loop should take well under a poll interval (10 ms). */
export const CONTROL_LOOP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];

/** The metrics of one controller node. */
export interface NodeMetrics {
  readonly registry: MetricsRegistry;
  /** `elevator_peers_alive`: peers currently heard from (not counting this node). */
  readonly peersAlive: Gauge;
  /** `elevator_calls{kind,state}`: calls currently known, by kind and confirmation. */
  readonly calls: Gauge<'kind' | 'state'>;
  /** `elevator_reassignments_total`: hall calls moved from one elevator to another. */
  readonly reassignments: Counter;
  /** `elevator_messages_dropped_total{reason}`: peer datagrams rejected, by reason. */
  readonly messagesDropped: Counter<'reason'>;
  /** `elevator_server_reconnects_total`: reconnections to the elevator server. */
  readonly serverReconnects: Counter;
  /** `elevator_control_loop_latency_seconds`: duration of one control-loop iteration. */
  readonly controlLoopLatency: Histogram;
  /** `elevator_peer_sent_datagrams_total`: peer datagrams handed to the transport. */
  readonly peerSentDatagrams: Counter;
  /** `elevator_peer_sent_bytes_total`: their bytes (payload, without UDP/IP headers). */
  readonly peerSentBytes: Counter;
  /** `elevator_peer_datagram_max_bytes`: the largest peer datagram sent so far. */
  readonly peerDatagramMaxBytes: Gauge;
  /** Sets all four `elevator_calls` series at once. */
  setCalls(counts: { readonly [K in CallKind]: { readonly [S in CallState]: number } }): void;
}

/** Creates the node's metrics in a fresh registry (every fixed series starts at 0). */
export function createNodeMetrics(): NodeMetrics {
  const registry = new MetricsRegistry();
  const peersAlive = registry.gauge('elevator_peers_alive', 'Peers currently alive.');
  const calls = registry.gauge('elevator_calls', 'Calls currently known, by kind and state.', [
    'kind',
    'state',
  ]);
  const reassignments = registry.counter(
    'elevator_reassignments_total',
    'Hall calls reassigned to another elevator.',
  );
  const messagesDropped = registry.counter(
    'elevator_messages_dropped_total',
    'Peer messages dropped, by reason.',
    ['reason'],
  );
  const serverReconnects = registry.counter(
    'elevator_server_reconnects_total',
    'Reconnections to the elevator server.',
  );
  const controlLoopLatency = registry.histogram(
    'elevator_control_loop_latency_seconds',
    'Duration of one control-loop iteration in seconds.',
    CONTROL_LOOP_BUCKETS,
  );
  const peerSentDatagrams = registry.counter(
    'elevator_peer_sent_datagrams_total',
    'Peer datagrams sent.',
  );
  const peerSentBytes = registry.counter(
    'elevator_peer_sent_bytes_total',
    'Bytes of peer datagrams sent (UDP payload).',
  );
  const peerDatagramMaxBytes = registry.gauge(
    'elevator_peer_datagram_max_bytes',
    'Largest peer datagram sent so far, in bytes (UDP payload).',
  );
  const setCalls: NodeMetrics['setCalls'] = (counts) => {
    for (const kind of ['hall', 'cab'] as const) {
      for (const state of ['unconfirmed', 'confirmed'] as const) {
        calls.set({ kind, state }, counts[kind][state]);
      }
    }
  };
  setCalls({ hall: { unconfirmed: 0, confirmed: 0 }, cab: { unconfirmed: 0, confirmed: 0 } });
  return {
    registry,
    peersAlive,
    calls,
    reassignments,
    messagesDropped,
    serverReconnects,
    controlLoopLatency,
    peerSentDatagrams,
    peerSentBytes,
    peerDatagramMaxBytes,
    setCalls,
  };
}

/** Records every datagram `transport` sends in the node's `elevator_peer_*` send metrics. */
export function countSentDatagrams<T extends { broadcast(datagram: Uint8Array): void }>(
  transport: T,
  metrics: NodeMetrics,
): T {
  const send = transport.broadcast.bind(transport);
  let max = 0;
  transport.broadcast = (datagram: Uint8Array): void => {
    metrics.peerSentDatagrams.inc();
    metrics.peerSentBytes.inc(datagram.length);
    if (datagram.length > max) {
      max = datagram.length;
      metrics.peerDatagramMaxBytes.set(max);
    }
    send(datagram);
  };
  return transport;
}
