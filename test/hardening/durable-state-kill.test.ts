/**
 * Durability under SIGKILL, at the level of the state store: a child process saves states 1, 2, 3,
 * ... with `DurableStateStore.save` in a tight loop and acknowledges each on stdout; it is killed
 * with SIGKILL at a random moment (in the middle of a write, an fsync or a rename), 200 times,
 * then the file is loaded as a restarted node would.
 *
 * Asserted after every kill: the file loads (never torn, empty or corrupt); it holds exactly the
 * last acknowledged state or the one after it (a save that completed but was not acknowledged),
 * so every cab call lit in an acknowledged state is there; and nothing was moved aside as corrupt.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersistedState } from '../../src/core/controller.js';
import { DurableStateStore } from '../../src/io/durable-state-store.js';
import { durabilityState } from '../../src/testing/durability-state.js';
import { SeededRandom } from '../../src/simulation/seeded-random.js';
import { transpileForChild } from '../../src/testing/transpile-for-child.js';

const SEED = Number(process.env.KILL_SEED ?? Math.floor(Math.random() * 2 ** 31));
const KILLS = Number(process.env.KILLS ?? 200);
const PARALLEL = Number(process.env.KILL_PARALLEL ?? 4);
const FLOORS = 8;
console.log(`durable-state kill test: seed ${SEED} (KILL_SEED=${SEED} to replay), ${KILLS} kills`);

const SRC = resolve(import.meta.dirname, '../../src');
let work: string;
let child: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'em-kill-'));
  child = transpileForChild(join(SRC, 'testing/durable-save-child.ts'), SRC, join(work, 'js'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

interface KillResult {
  acks: number;
  beforeReady: boolean;
}

/** Starts the child, kills it `delayMs` after it is ready (or at spawn + delay if never ready). */
function runAndKill(dir: string, delayMs: number): Promise<KillResult> {
  return new Promise((resolveKill, reject) => {
    const proc = spawn(process.execPath, [child, dir, String(FLOORS)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let acks = 0;
    let ready = false;
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      let nl;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line === 'ready' && !ready) {
          ready = true;
          setTimeout(() => proc.kill('SIGKILL'), delayMs);
        }
        const m = /^ack (\d+)$/.exec(line);
        if (m) acks = Number(m[1]);
      }
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child exited by itself (${code}): ${stderr}`));
      // Acks already on the pipe were written before the kill; `exit` can come before them.
      else setImmediate(() => resolveKill({ acks, beforeReady: !ready }));
    });
  });
}

describe('DurableStateStore under SIGKILL', () => {
  it(`keeps a whole state holding every acknowledged save across ${KILLS} kills`, async () => {
    const random = new SeededRandom(SEED);
    const ackHistogram = new Map<string, number>();
    let done = 0;
    let landedUnacked = 0;

    const worker = async (w: number): Promise<void> => {
      const dir = join(work, `state-${w}`);
      const store = new DurableStateStore(dir);
      let previous: PersistedState | undefined;
      while (done < KILLS) {
        done += 1;
        const delayMs = random.int(45);
        const { acks } = await runAndKill(dir, delayMs);
        const bucket = acks === 0 ? '0' : acks <= 2 ? '1-2' : '3+';
        ackHistogram.set(bucket, (ackHistogram.get(bucket) ?? 0) + 1);

        const loaded = store.load(FLOORS);
        if (loaded.kind === 'corrupt')
          expect.fail(`kill ${done} (delay ${delayMs} ms): corrupt state: ${loaded.reason}`);
        const got = loaded.kind === 'loaded' ? loaded.state : undefined;
        // Acceptable: the last acknowledged state, or the next one if its save completed but the
        // kill came before its ack; with no ack, the previous run's file or this run's first state.
        const acceptable =
          acks > 0
            ? [durabilityState(acks, FLOORS), durabilityState(acks + 1, FLOORS)]
            : [previous, durabilityState(1, FLOORS)];
        const match = acceptable.findIndex((s) => JSON.stringify(s) === JSON.stringify(got));
        if (match < 0)
          expect.fail(
            `kill ${done} (delay ${delayMs} ms, ${acks} acks): state file holds epoch ${got?.epoch ?? 'nothing'}`,
          );
        if (acks > 0 && match === 1) landedUnacked += 1;
        previous = got;
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, (_, w) => worker(w)));

    const leftovers = Array.from({ length: PARALLEL }, (_, w) =>
      readdirSync(join(work, `state-${w}`)).filter((f) => f !== 'state.json'),
    ).flat();
    console.log(
      `durable-state kill test: ${done} kills; acks before the kill ${JSON.stringify(Object.fromEntries(ackHistogram))}; ` +
        `${landedUnacked} kills after a save completed but before its ack; ` +
        `${leftovers.length} stray files left in the state dirs after the last load`,
    );
    expect(done).toBeGreaterThanOrEqual(KILLS);
    // Nothing moved aside as corrupt, and the temp files of killed saves are cleaned up by `load`.
    expect(leftovers).toEqual([]);
  }, 240_000);
});
