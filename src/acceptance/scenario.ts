/**
 * Acceptance scenarios: a building, its traffic and a timeline of faults, read from JSON files
 * that users can write themselves. The JSON is untrusted: it is parsed once here with zod into a
 * typed {@link Scenario} or a {@link ScenarioError} whose message names each bad field.
 *
 * Times on the timeline (`at`, `durationS`, traffic `durationS`) are wall-clock seconds from the
 * start of traffic. `physics.speed` only scales the elevator's timings (travel, door, timeouts):
 * speed 1 is the real building (2 s between floors, door open 3 s), speed 2 halves them.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { CONTROLLER_DEFAULTS, REFERENCE_PHYSICS, type BuildingTimings } from '../core/timings.js';

const ID = z
  .string()
  .regex(/^[a-z][a-z0-9]{0,7}$/, 'an id: a lower-case letter, then up to 7 of a-z 0-9');

const target = z.union([ID, z.literal('all')]);

const lossFault = z
  .object({
    kind: z.literal('loss'),
    at: z.number().min(0),
    durationS: z.number().positive(),
    /** The elevator whose namespace drops packets, or every elevator. */
    target,
    /** Probability that one frame (`lossMode` `frame`) or datagram is dropped, per direction. */
    rate: z.number().gt(0).lte(1),
    direction: z.enum(['in', 'out', 'both']).default('both'),
    /**
     * `frame` (default): each Ethernet frame on the cable is dropped with `rate`, before IP
     * reassembly, so a datagram of k fragments arrives with (1 - rate)^k per direction, as on a
     * real lossy link. `datagram`: each whole datagram is dropped with `rate` (iptables INPUT /
     * OUTPUT, after reassembly), whatever its size: the lab's original mode.
     */
    lossMode: z.enum(['frame', 'datagram']).default('frame'),
  })
  .strict();

const disconnectFault = z
  .object({
    kind: z.literal('disconnect'),
    at: z.number().min(0),
    durationS: z.number().positive(),
    target: ID,
    /** `drop`: iptables drops every peer datagram; `link-down`: the cable is pulled. */
    method: z.enum(['drop', 'link-down']).default('link-down'),
  })
  .strict();

const killControllerFault = z
  .object({
    kind: z.literal('kill-controller'),
    at: z.number().min(0),
    target: ID,
    /** How long after the kill the elevator counts as "in fault" (its restart), for the checks. */
    recoveryS: z.number().positive().default(6),
  })
  .strict();

const powerCycleFault = z
  .object({
    kind: z.literal('power-cycle'),
    at: z.number().min(0),
    /** How long the machine stays off (supervisor and controller killed with SIGKILL). */
    durationS: z.number().positive(),
    target: ID,
    /** Also delete the node's state directory (a node that comes back with an empty disk). */
    wipeState: z.boolean().default(false),
    recoveryS: z.number().positive().default(6),
  })
  .strict();

const motorPowerFault = z
  .object({
    kind: z.literal('motor-power'),
    at: z.number().min(0),
    durationS: z.number().positive(),
    target: ID,
    /**
     * Wait until the car is moving before cutting power, so it stops between floors (an idle car
     * gets a cab call to the far end first; up to 15 s).
     */
    whenMoving: z.boolean().default(true),
  })
  .strict();

const obstructionFault = z
  .object({
    kind: z.literal('obstruction'),
    at: z.number().min(0),
    durationS: z.number().positive(),
    target: ID,
    /** Wait (up to 15 s) until the door is open before obstructing it (an idle car is called). */
    whenDoorOpen: z.boolean().default(true),
  })
  .strict();

const fault = z.discriminatedUnion('kind', [
  lossFault,
  disconnectFault,
  killControllerFault,
  powerCycleFault,
  motorPowerFault,
  obstructionFault,
]);

/** One fault of a scenario's timeline. */
export type Fault = z.infer<typeof fault>;
export type FaultKind = Fault['kind'];
export const FAULT_KINDS: readonly FaultKind[] = [
  'loss',
  'disconnect',
  'kill-controller',
  'power-cycle',
  'motor-power',
  'obstruction',
];

const scenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'kebab-case, up to 64 characters'),
    description: z.string().default(''),
    /** Seed of the random traffic (the run prints it; the same seed gives the same presses). */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .default(1),
    /** Short scenarios that CI runs (every fault kind once). */
    tags: z.array(z.string()).default([]),
    /**
     * At most 9 x 20: each elevator is a simulator, a supervisor, a controller and a forwarder
     * on the same 2-core machine. At 9 x 20 and real-time physics the machine is already
     * saturated (load average 10-16 with other work on it), which is when starved controllers
     * show; a larger lab would measure the machine, not the product.
     */
    building: z
      .object({
        elevators: z.number().int().min(1).max(9),
        floors: z.number().int().min(2).max(20),
      })
      .strict(),
    physics: z
      .object({
        /** 1 = real time (2 s per floor, 3 s door); 2 = everything twice as fast. */
        speed: z.number().min(0.25).max(4).default(1),
      })
      .strict()
      .default({ speed: 1 }),
    traffic: z
      .object({
        /** Seconds of traffic, from the start. */
        durationS: z.number().positive().max(3600),
        /** Mean time between two presses (exponential gaps). */
        meanIntervalS: z.number().positive(),
        /** Share of presses that are hall calls (the rest are cab calls). */
        hallShare: z.number().min(0).max(1).default(0.6),
      })
      .strict(),
    /** Extra settings of every node (`--assigner`); absent: the node's defaults. */
    node: z
      .object({
        assigner: z
          .string()
          .regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/)
          .optional(),
      })
      .strict()
      .default({}),
    faults: z.array(fault).default([]),
    /** Seconds after traffic ends (and the last fault ends) within which every lamp must be off. */
    drainS: z.number().positive().default(45),
    /**
     * Bound, in seconds at real-time physics (divided by the speed), on the takeover after a
     * fault (every hall call pending at its start served) and on lights agreeing after it.
     */
    recoveryBoundS: z.number().positive().default(30),
    /** Seconds after a fault ends before hall lights must agree across panels again. */
    settleS: z.number().min(0).default(5),
  })
  .strict()
  .superRefine((s, ctx) => {
    const ids = elevatorIds(s.building.elevators);
    s.faults.forEach((f, i) => {
      if (f.target !== 'all' && !ids.includes(f.target)) {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', i, 'target'],
          message: `no elevator "${f.target}" in this building (elevators: ${ids.join(', ')})`,
        });
      }
      if (f.at > s.traffic.durationS) {
        ctx.addIssue({
          code: 'custom',
          path: ['faults', i, 'at'],
          message: `fault starts at ${f.at} s, after traffic ends (${s.traffic.durationS} s)`,
        });
      }
    });
  });

/** A validated scenario. */
export type Scenario = z.infer<typeof scenarioSchema>;
/** The scenario as written in a file (defaults not yet applied). */
export type ScenarioInput = z.input<typeof scenarioSchema>;

/** Ids of the elevators of a building: `e1`, `e2`, ... */
export function elevatorIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `e${i + 1}`);
}

/** A scenario file that cannot be used; `code` is stable. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  constructor(
    readonly code: 'unreadable' | 'not-json' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

/** Parses an untrusted value into a {@link Scenario}; `source` names it in messages. */
export function parseScenario(json: unknown, source = 'scenario'): Scenario {
  const r = scenarioSchema.safeParse(json);
  if (r.success) return r.data;
  const lines = r.error.issues.map(
    (i) => `  ${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`,
  );
  throw new ScenarioError('invalid', `${source} is not a valid scenario:\n${lines.join('\n')}`);
}

/** Reads and validates a scenario file. */
export async function loadScenario(path: string): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ScenarioError('unreadable', `cannot read ${path}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ScenarioError('not-json', `${path} is not JSON: ${(err as Error).message}`);
  }
  return parseScenario(json, path);
}

/** Start and end (seconds from start) of a fault, as the checks see it. */
export function faultWindow(f: Fault): { start: number; end: number } {
  switch (f.kind) {
    case 'kill-controller':
      return { start: f.at, end: f.at + f.recoveryS };
    case 'power-cycle':
      return { start: f.at, end: f.at + f.durationS + f.recoveryS };
    default:
      return { start: f.at, end: f.at + f.durationS };
  }
}

/** The elevator's timings at a physics speed (scaled from the real building's). */
export type Timings = BuildingTimings;

/** The real building's timings (speed 1). */
export const REAL_TIMINGS: Timings = { ...REFERENCE_PHYSICS, ...CONTROLLER_DEFAULTS };

/**
 * Timings at `speed`. The network timings (peer timeout, broadcast interval) scale too, so the
 * ratios the product relies on hold; the broadcast interval never goes under 10 ms and the peer
 * timeout never under 300 ms, so a busy test machine does not see peers flap.
 */
export function timingsAt(speed: number): Timings {
  const s = (ms: number): number => Math.round(ms / speed);
  return {
    travelMs: s(REAL_TIMINGS.travelMs),
    passingMs: s(REAL_TIMINGS.passingMs),
    doorOpenMs: s(REAL_TIMINGS.doorOpenMs),
    motorTimeoutMs: s(REAL_TIMINGS.motorTimeoutMs),
    obstructionTimeoutMs: s(REAL_TIMINGS.obstructionTimeoutMs),
    peerTimeoutMs: Math.max(300, s(REAL_TIMINGS.peerTimeoutMs)),
    broadcastIntervalMs: Math.max(10, s(REAL_TIMINGS.broadcastIntervalMs)),
  };
}
