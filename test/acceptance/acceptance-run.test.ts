/**
 * The acceptance lab end to end: the CLI's exit codes (77 without root, 2 for a bad scenario) and,
 * with root, one short real scenario (two supervised nodes over a namespaced network, a kill -9
 * of a controller) that must pass and leave nothing behind. Without root the real run is skipped
 * and the reason printed; with ELEVATOR_MESH_REQUIRE_LAB=1 (CI's root step) a missing lab fails.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { labUnavailableReason, listNamespaces } from '../../src/acceptance/netns-lab.js';
import { newRunId, runScenario } from '../../src/acceptance/runner.js';
import { parseScenario } from '../../src/acceptance/scenario.js';
import type { Report } from '../../src/acceptance/report.js';
import type { RunRecord } from '../../src/acceptance/run-record.js';
import { idlePanel } from '../../src/acceptance/run-record.js';

const reason = await labUnavailableReason();
if (reason !== undefined) console.warn(`SKIPPED real acceptance run: ${reason}`);
const ROOT = join(import.meta.dirname, '..', '..');
const isRoot = process.getuid?.() === 0;
const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;

function cli(args: string[], asNobody = false): { status: number | null; stderr: string } {
  const command = [process.execPath, '--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args];
  const r = asNobody
    ? spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...command], {
        cwd: ROOT,
        encoding: 'utf8',
      })
    : spawnSync(command[0] as string, command.slice(1), { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

const temporary: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

describe('elevator-mesh acceptance', () => {
  afterAll(() => {
    for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
  });

  // Where the lab must run (CI's root step), a missing lab or setpriv is a failure, not a skip.
  it.runIf(process.env.ELEVATOR_MESH_REQUIRE_LAB === '1')(
    'has the lab and setpriv it was told to require (ELEVATOR_MESH_REQUIRE_LAB=1)',
    () => {
      expect(reason).toBeUndefined();
      expect(isRoot && hasSetpriv).toBe(true);
    },
  );

  it('rejects a bad scenario file with exit code 2 and names the bad field', () => {
    const dir = tempDir('emacc-test-');
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ name: 'bad', building: { elevators: 3 } }));
    const r = cli(['acceptance', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('building.floors');
  });

  it('--recheck re-runs the checks on a saved run and rewrites its report and timeline', () => {
    const dir = tempDir('emacc-recheck-');
    const record: RunRecord = {
      scenario: 'saved',
      elevators: ['e1'],
      floors: 2,
      trafficEnd: 1000,
      end: 2000,
      samples: [{ t: 0, elevator: 'e1', panel: idlePanel(2) }],
      presses: [{ t: 500, elevator: 'e1', button: 'cab', floor: 1 }],
      faults: [],
      bounds: {
        doorOpenMs: 3000,
        toleranceMs: 100,
        lightBoundMs: 3000,
        agreeBoundMs: 1000,
        settleMs: 5000,
        recoveryMs: 30_000,
      },
    };
    writeFileSync(join(dir, 'record.json'), JSON.stringify(record));
    writeFileSync(join(dir, 'report.json'), JSON.stringify({ run: 'saved-1', seed: 3 }));
    const r = cli(['acceptance', '--recheck', dir]);
    expect(r.status).toBe(1); // the press never lit: a violation
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
    expect(report).toMatchObject({ run: 'saved-1', seed: 3, ok: false, calls: { notLit: 1 } });
    expect(existsSync(join(dir, 'timeline.html'))).toBe(true);
  });

  it.skipIf(!isRoot || !hasSetpriv)('without root, says so and exits 77', () => {
    const r = cli(['acceptance', '--ci'], true);
    expect(r.stderr).toContain('needs root');
    expect(r.status).toBe(77);
  });

  it.skipIf(reason !== undefined)(
    'runs a short real scenario with a kill -9 and cleans up everything',
    async () => {
      const scenario = parseScenario({
        name: 'test-short',
        seed: 7,
        building: { elevators: 2, floors: 3 },
        // Real-time physics: the most slack for a machine busy with other tests.
        physics: { speed: 1 },
        traffic: { durationS: 14, meanIntervalS: 1.2 },
        faults: [{ kind: 'kill-controller', at: 4, target: 'e1' }],
        drainS: 30,
      });
      const runId = newRunId();
      const artifacts = tempDir('emacc-artifacts-');
      const result = await runScenario({
        scenario,
        artifactsRoot: artifacts,
        signal: new AbortController().signal,
        progress: false,
        logLevel: 'warn',
        say: () => undefined,
        runId,
      });
      const summary = JSON.stringify(result.report.errors, null, 2);
      expect(result.report.ok, summary).toBe(true);
      expect(result.report.calls.made).toBeGreaterThan(5);
      expect(result.report.calls.lost).toBe(0);
      expect(result.report.faults[0]?.kind).toBe('kill-controller');
      expect(existsSync(join(result.dir, 'report.json'))).toBe(true);
      expect(existsSync(join(result.dir, 'timeline.html'))).toBe(true);
      expect((await listNamespaces()).filter((n) => n.includes(runId))).toEqual([]);
      expect(existsSync(`/tmp/emacc-${runId}`)).toBe(false);
    },
    240_000,
  );
});
