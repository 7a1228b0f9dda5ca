/**
 * The node's durable state: one small JSON file, replaced atomically. A write goes to a temp file,
 * is fsynced, renamed over the old file, and the directory is fsynced, so after a crash or a power
 * loss the file holds either the old state or the new one, never a torn or empty one.
 */
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { PersistedState } from '../core/controller.js';
import { wireRegisterSchema } from '../protocol/world-message.js';

const persistedStateSchema = z.object({
  epoch: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  cab: z.array(wireRegisterSchema).max(255),
  hall: z.array(z.tuple([wireRegisterSchema, wireRegisterSchema])).max(255),
  unsynced: z.literal(true).optional(),
});

/** What reading the state file found. */
export type LoadResult =
  | { kind: 'empty' }
  | { kind: 'loaded'; state: PersistedState }
  /** The file exists but cannot be used; it was moved aside so the next write does not lose it. */
  | { kind: 'corrupt'; reason: string; movedTo: string };

export class DurableStateStore {
  readonly file: string;
  private readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    this.file = join(dir, 'state.json');
    mkdirSync(dir, { recursive: true });
  }

  /** Reads the state, adapting it to `floors` (a changed floor count keeps the floors that exist). */
  load(floors: number): LoadResult {
    // A process killed in the middle of `save` leaves its temp file behind (one per pid, so they
    // pile up over crashes); it never holds anything the state file lacks.
    for (const name of readdirSync(this.dir))
      if (name.startsWith('state.json.tmp-')) rmSync(join(this.dir, name), { force: true });
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'empty' };
      throw err;
    }
    let parsed: z.infer<typeof persistedStateSchema>;
    try {
      parsed = persistedStateSchema.parse(JSON.parse(text));
    } catch (err) {
      const movedTo = `${this.file}.corrupt-${Date.now()}`;
      renameSync(this.file, movedTo);
      return { kind: 'corrupt', reason: err instanceof Error ? err.message : String(err), movedTo };
    }
    return {
      kind: 'loaded',
      state: {
        epoch: parsed.epoch,
        cab: Array.from({ length: floors }, (_, f) => parsed.cab[f] ?? []),
        hall: Array.from({ length: floors }, (_, f) => parsed.hall[f] ?? [[], []]),
      },
    };
  }

  /** Replaces the state durably; returns once it is on disk. */
  save(state: PersistedState): void {
    const tmp = `${this.file}.tmp-${process.pid}`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    const dirFd = openSync(this.dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }
}
