/**
 * `elevator-mesh acceptance [scenario files...]`: the acceptance lab. Runs each scenario on real
 * processes (our simulator and supervised nodes) in network namespaces joined by a bridge, with
 * real packet loss, cables pulled, processes killed, motor power cut and doors obstructed, and
 * checks what a person at the lab would see. With no files it runs every shipped scenario
 * (`--ci`: only those tagged `ci`, a few minutes in all).
 *
 * Needs root. Exit codes: 0 every scenario passed, 1 one failed, 2 bad scenario or usage,
 * 77 the lab cannot run here (not root, no `ip`/`iptables`/`nft`), 130 interrupted.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { checkRun } from '../../acceptance/checks.js';
import type { RunRecord } from '../../acceptance/run-record.js';
import { renderTimeline } from '../../acceptance/timeline-html.js';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../acceptance/launcher.js';
import {
  EXIT_SKIP,
  LAB_PREFIX,
  cleanupLeftovers,
  labUnavailableReason,
} from '../../acceptance/netns-lab.js';
import { buildReport, formatReport } from '../../acceptance/report.js';
import { RunAborted, newRunId, runScenario } from '../../acceptance/runner.js';
import type { Scenario } from '../../acceptance/scenario.js';
import { ScenarioError, loadScenario } from '../../acceptance/scenario.js';

/** Directory of the shipped scenarios. */
export const SHIPPED_SCENARIOS = join(PACKAGE_ROOT, 'acceptance', 'scenarios');

interface AcceptanceOptions {
  ci?: boolean;
  cleanup?: boolean;
  recheck?: string;
  artifacts: string;
  speed?: string;
  assigner?: string;
  logLevel: string;
  progress: boolean;
}

/** Registers the `acceptance` subcommand. */
export function register(program: Command): void {
  program
    .command('acceptance')
    .description(
      'run acceptance scenarios: real processes, a real (namespaced) network, real faults (needs root)',
    )
    .argument('[scenarios...]', 'scenario files (default: every shipped scenario)')
    .option(
      '--ci',
      'run only the shipped scenarios tagged "ci" (every fault kind once, fast physics)',
    )
    .option('--cleanup', 'remove namespaces and processes left by earlier runs, then exit')
    .option(
      '--recheck <run-dir>',
      "re-run the checks on a finished run's record.json (no root needed); rewrites its report and timeline",
    )
    .option('--artifacts <dir>', 'where run reports and timelines go', 'artifacts/acceptance')
    .option('--speed <x>', 'override the physics speed of every scenario (1 = real time)')
    .option(
      '--assigner <name>',
      "override every scenario's hall-call assigner (the nodes' --assigner)",
    )
    .addOption(
      new Option(
        '--log-level <level>',
        'log level of the simulators and nodes (their logs go to files)',
      )
        .choices(['trace', 'debug', 'info', 'warn', 'error', 'silent'])
        .default('info'),
    )
    .option('--no-progress', 'no progress bar')
    .action(async (files: string[], opts: AcceptanceOptions) => {
      process.exitCode = await runAcceptance(files, opts);
    });
}

async function runAcceptance(files: string[], opts: AcceptanceOptions): Promise<number> {
  if (opts.recheck !== undefined) return recheck(opts.recheck);
  const paths =
    files.length > 0
      ? files
      : readdirSync(SHIPPED_SCENARIOS)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => join(SHIPPED_SCENARIOS, f));
  const scenarios: Scenario[] = [];
  for (const path of paths) {
    try {
      const s = await loadScenario(path);
      if (files.length === 0 && opts.ci === true && !s.tags.includes('ci')) continue;
      if (opts.speed !== undefined) {
        const speed = Number(opts.speed);
        if (!(speed >= 0.25 && speed <= 4)) {
          process.stderr.write(
            'elevator-mesh acceptance: --speed must be a number from 0.25 to 4\n',
          );
          return 2;
        }
        s.physics.speed = speed;
      }
      if (opts.assigner !== undefined) s.node.assigner = opts.assigner;
      scenarios.push(s);
    } catch (err) {
      if (err instanceof ScenarioError) {
        process.stderr.write(`elevator-mesh acceptance: ${err.message}\n`);
        return 2;
      }
      throw err;
    }
  }

  const reason = await labUnavailableReason();
  if (reason !== undefined) {
    process.stderr.write(`elevator-mesh acceptance: skipped: ${reason}\n`);
    return EXIT_SKIP;
  }
  if (opts.cleanup === true) {
    const removed = await cleanupLeftovers();
    process.stdout.write(
      removed.length > 0 ? `removed ${removed.join(', ')}\n` : 'nothing to clean up\n',
    );
    return 0;
  }

  const abort = new AbortController();
  let runId: string | undefined;
  let interrupts = 0;
  const onSignal = (): void => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write('\ninterrupted: cleaning up (press Ctrl-C again to force)\n');
      abort.abort();
      return;
    }
    // Forced: remove this run's namespaces (and the processes in them) synchronously.
    if (runId !== undefined) emergencyCleanup(`${LAB_PREFIX}${runId}-`);
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const say = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  let failed = 0;
  try {
    for (const scenario of scenarios) {
      runId = newRunId();
      try {
        const result = await runScenario({
          scenario,
          artifactsRoot: opts.artifacts,
          signal: abort.signal,
          progress: opts.progress,
          logLevel: opts.logLevel,
          say,
          runId,
        });
        process.stdout.write(`${formatReport(result.report)}\n`);
        for (const p of result.problems.slice(0, 10)) process.stdout.write(`  note: ${p}\n`);
        process.stdout.write(
          `  report: ${join(result.dir, 'report.json')}\n  timeline: ${join(result.dir, 'timeline.html')}\n`,
        );
        if (!result.report.ok) failed++;
      } catch (err) {
        if (err instanceof RunAborted) return 130;
        failed++;
        process.stdout.write(
          `FAIL ${scenario.name}: ${err instanceof Error ? err.message : String(err)}\n`,
        );
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  process.stdout.write(`${scenarios.length - failed}/${scenarios.length} scenarios passed\n`);
  return failed > 0 ? 1 : 0;
}

/** Re-runs the checks on a saved record (e.g. after the checks changed). */
function recheck(dir: string): number {
  let record: RunRecord;
  let previous: { run?: unknown; seed?: unknown };
  try {
    record = JSON.parse(readFileSync(join(dir, 'record.json'), 'utf8')) as RunRecord;
    previous = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as typeof previous;
  } catch (err) {
    process.stderr.write(
      `elevator-mesh acceptance: cannot read the run in ${dir}: ${String(err)}\n`,
    );
    return 2;
  }
  const result = checkRun(record);
  const report = buildReport(record, result, {
    run: typeof previous.run === 'string' ? previous.run : dir,
    seed: typeof previous.seed === 'number' ? previous.seed : 0,
  });
  writeFileSync(
    join(dir, 'report.json'),
    `${JSON.stringify({ ...previous, ...report }, null, 2)}\n`,
  );
  writeFileSync(join(dir, 'timeline.html'), renderTimeline(record, result, report));
  process.stdout.write(`${formatReport(report)}\n`);
  return report.ok ? 0 : 1;
}

function emergencyCleanup(prefix: string): void {
  try {
    const names = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim().split(/\s+/)[0] ?? '')
      .filter((n) => n.startsWith(prefix));
    for (const name of names) {
      const pids = execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8' })
        .split(/\s+/)
        .filter(Boolean);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // gone
        }
      }
      execFileSync('ip', ['netns', 'del', name]);
    }
  } catch {
    // best effort: `elevator-mesh acceptance --cleanup` finds what is left
  }
}
