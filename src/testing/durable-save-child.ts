/**
 * Child process of the durability test: saves state 1, 2, 3, ... with `DurableStateStore.save` in
 * a tight loop, and after each save returns writes `ack <n>` to stdout (synchronously, so an ack
 * on the pipe means the save had returned). The test kills it with SIGKILL at a random moment.
 *
 * Usage: node durable-save-child.js <state dir> <floors>
 */
import { writeSync } from 'node:fs';
import { DurableStateStore } from '../io/durable-state-store.js';
import { durabilityState } from './durability-state.js';

const [dir, floorsText] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: durable-save-child <dir> <floors>');
const floors = Number(floorsText ?? 8);
const store = new DurableStateStore(dir);
writeSync(1, 'ready\n');
for (let n = 1; ; n++) {
  store.save(durabilityState(n, floors));
  writeSync(1, `ack ${n}\n`);
}
