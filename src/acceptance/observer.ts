/**
 * Watches every simulator's event stream and keeps the run's record of panels over time.
 *
 * Each simulator stamps its events with its own monotonic clock. The observer maps each clock
 * onto the harness's: the offset is the smallest (arrival time - stamp) seen, i.e. the stamp of
 * the fastest-delivered event is taken as its arrival. Timestamps are converted only at the end,
 * with the best offset, so latencies measured on one simulator (press to lamp on) are exact and
 * comparisons across simulators are off by at most the fastest delivery time (well under 1 ms
 * on one machine).
 */
import type { Press, Panel, Sample } from './run-record.js';
import type { RemoteSimEvent, RemoteSimState, SimClient } from './sim-client.js';
import type { ButtonType } from '../core/types.js';

/** The visible part of a simulator's state. */
export function panelOf(s: RemoteSimState): Panel {
  return {
    floor: s.car.floor,
    lastFloor: s.car.lastFloor,
    motor: s.car.motor,
    motorPower: s.car.motorPower,
    door: s.lamps.door,
    hall: s.lamps.hall.map(([u, d]) => [u, d] as [boolean, boolean]),
    cab: [...s.lamps.cab],
    obstruction: s.obstruction,
    connected: s.clientConnected,
  };
}

function samePanel(a: Panel, b: Panel): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

interface Stream {
  close: () => void;
  offset: number;
  raw: { simT: number; panel: Panel }[];
  latest: Panel | undefined;
}

/** Records the panels of every elevator (see module comment). */
export class Observer {
  private readonly streams = new Map<string, Stream>();
  private readonly presses: (Omit<Press, 't'> & { simT: number })[] = [];
  private stopped = false;
  /** Errors of streams that ended early (reported, then the stream is reopened). */
  readonly problems: string[] = [];

  constructor(
    private readonly clients: ReadonlyMap<string, SimClient>,
    /** The harness clock's value at the start of the run (t = 0 in the record). */
    private readonly origin: number,
  ) {}

  /** Opens every stream and waits for each one's first event. */
  async start(): Promise<void> {
    await Promise.all([...this.clients.keys()].map((id) => this.open(id)));
  }

  private open(id: string): Promise<void> {
    const client = this.clients.get(id);
    if (!client) throw new Error(`no simulator ${id}`);
    const stream: Stream = this.streams.get(id) ?? {
      close: () => undefined,
      offset: Infinity,
      raw: [],
      latest: undefined,
    };
    this.streams.set(id, stream);
    return new Promise((resolve) => {
      let first = true;
      stream.close = client.events(
        (e: RemoteSimEvent, receivedAt) => {
          stream.offset = Math.min(stream.offset, receivedAt - e.t);
          const panel = panelOf(e.state);
          const last = stream.raw[stream.raw.length - 1];
          if (!last || !samePanel(last.panel, panel) || e.t < last.simT)
            stream.raw.push({ simT: e.t, panel });
          stream.latest = panel;
          if (first) {
            first = false;
            resolve();
          }
        },
        (err) => {
          if (this.stopped) return;
          this.problems.push(
            `${id}: event stream ended${err ? `: ${err.message}` : ''}; reopening`,
          );
          setTimeout(() => {
            if (!this.stopped) void this.open(id);
          }, 200);
          if (first) resolve();
        },
      );
    });
  }

  /** The latest panel of an elevator. */
  latest(id: string): Panel | undefined {
    return this.streams.get(id)?.latest;
  }

  /** Presses a button on an elevator's panel and records the press at the simulator's time. */
  async press(elevator: string, button: ButtonType, floor: number): Promise<void> {
    const client = this.clients.get(elevator);
    if (!client) throw new Error(`no simulator ${elevator}`);
    const simT = await client.press(button, floor);
    this.presses.push({ simT, elevator, button, floor });
  }

  /** Converts a simulator timestamp of `id` to ms since the run's origin. */
  toRunTime(id: string, simT: number): number {
    const offset = this.streams.get(id)?.offset ?? 0;
    return simT + offset - this.origin;
  }

  /** Closes every stream. */
  stop(): void {
    this.stopped = true;
    for (const s of this.streams.values()) s.close();
  }

  /** The samples and presses recorded, on the run's clock. */
  record(): { samples: Sample[]; presses: Press[] } {
    const samples: Sample[] = [];
    for (const [elevator, s] of this.streams) {
      for (const r of s.raw)
        samples.push({ t: this.toRunTime(elevator, r.simT), elevator, panel: r.panel });
    }
    samples.sort((a, b) => a.t - b.t);
    const presses = this.presses
      .map((p) => ({
        t: this.toRunTime(p.elevator, p.simT),
        elevator: p.elevator,
        button: p.button,
        floor: p.floor,
      }))
      .sort((a, b) => a.t - b.t);
    return { samples, presses };
  }
}
