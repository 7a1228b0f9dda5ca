/**
 * Reading what spin's verifier (pan) prints, and judging a run by it: kept apart from the runner
 * (model/run-model.ts) so that a test can feed it pan's text without spin.
 */

export interface Run {
  name: string;
  /** -D defines for `spin -a` (the configuration, and the mutant if any). */
  defines: string[];
  /** 'clean': no error allowed; 'counterexample': pan must find one (a mutant, or a finding). */
  expect: 'clean' | 'counterexample';
  /** What the run shows (printed beside its figures). */
  what: string;
  /** Compile pan with -O2 even for a mutant (one whose counterexample lies deep). */
  optimise?: boolean;
  /** Only with --deep (too long for CI). */
  deep?: boolean;
  /**
   * Store states as spin's minimised automaton (-DMA) instead of a hash table of compressed state
   * vectors: still exhaustive, a few MB where the hash table needs tens of GB, about 3 times
   * slower (the 3-node runs).
   */
  graph?: boolean;
  /**
   * Search within these depth bounds in turn, stopping at the first counterexample (a mutant of a
   * large model, whose plain search runs thousands of steps deep before it backtracks).
   */
  depths?: number[];
}

export interface PanResult {
  errors: number;
  states: number;
  transitions: number;
  depth: number;
  /** pan stopped at the -m bound: the search was not exhaustive. */
  depthTruncated: boolean;
  /** pan ran out of memory (-DMEMLIM) or was interrupted: the search was not exhaustive. */
  incomplete: boolean;
  /** The first violated assertion, as pan prints it, or ''. */
  assertion: string;
  /** The depth bound of the search (Run.depths), if it had one. */
  depthBound?: number;
}

/** Parses pan's summary; throws when the text is not a finished pan run. */
export function parsePan(out: string): PanResult {
  const num = (re: RegExp): number => {
    const m = re.exec(out);
    if (!m?.[1]) throw new Error(`pan output lacks ${String(re)}:\n${out.slice(-2000)}`);
    return Number(m[1].replace(/e\+?/, 'e'));
  };
  const errors = num(/errors: (\d+)/);
  const states = num(/([\d.e+]+) states, stored/);
  const transitions = num(/([\d.e+]+) transitions \(= stored\+matched\)/);
  const depth = num(/depth reached (\d+)/);
  const assertion = /pan:\d+: (assertion violated .*?) \(at depth \d+\)/.exec(out)?.[1] ?? '';
  return {
    errors,
    states,
    transitions,
    depth,
    depthTruncated: out.includes('max search depth too small'),
    incomplete:
      out.includes('out of memory') ||
      out.includes('reached -DMEMLIM bound') ||
      out.includes('Interrupted') ||
      /search was not completed/.test(out),
    assertion,
  };
}

export interface Verdict {
  ok: boolean;
  text: string;
}

/**
 * A clean run passes only if pan searched the whole space (no truncation, no memory limit) and
 * found no error; a mutant passes only if pan found a violated assertion (a counterexample).
 */
export function judge(run: Run, r: PanResult): Verdict {
  if (run.expect === 'clean') {
    if (r.errors > 0) return { ok: false, text: `ERROR: ${r.assertion || 'error'}` };
    if (r.depthTruncated || r.depthBound !== undefined)
      return { ok: false, text: 'NOT EXHAUSTIVE: search depth too small' };
    if (r.incomplete) return { ok: false, text: 'NOT EXHAUSTIVE: search not completed' };
    return { ok: true, text: 'no error (exhaustive)' };
  }
  if (r.errors > 0 && r.assertion !== '') return { ok: true, text: `rejected: ${r.assertion}` };
  if (r.errors > 0)
    return { ok: false, text: 'NOT REJECTED by a property (an error, no assertion)' };
  return { ok: false, text: 'NOT REJECTED' };
}
