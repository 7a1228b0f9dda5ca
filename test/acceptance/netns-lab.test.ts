/**
 * The lab's network on the real kernel: two namespaces on a bridge, a UDP broadcast from one to
 * the other (tiny node scripts run inside the namespaces), a 100% drop rule that stops it, and a
 * cleanup that leaves nothing behind. Needs root: without it the tests are skipped, and the
 * reason is printed.
 */
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { NetLab, labUnavailableReason, listNamespaces } from '../../src/acceptance/netns-lab.js';

const reason = await labUnavailableReason();
if (reason !== undefined) console.warn(`SKIPPED netns lab tests: ${reason}`);

const PORT = 16999;

/** Runs `node -e code` inside a namespace; resolves with its stdout. */
function nodeIn(lab: NetLab, host: string, code: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const [file, ...args] = [...lab.execPrefix(host), process.execPath, '-e', code];
    const child = spawn(file ?? 'ip', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', () => resolve(out));
  });
}

/** Listens on the peer port in `to` for up to `ms`, while `from` broadcasts 20 datagrams. */
async function broadcastCount(lab: NetLab, from: string, to: string, ms = 1500): Promise<number> {
  const listener = nodeIn(
    lab,
    to,
    `const s = require('node:dgram').createSocket('udp4'); let n = 0;
     s.on('message', (m, r) => { if (String(m) === 'hello') n++; });
     s.bind(${PORT}, () => setTimeout(() => { console.log(n); s.close(); }, ${ms}));`,
  );
  await new Promise((r) => setTimeout(r, 300)); // the listener binds first
  await nodeIn(
    lab,
    from,
    `const s = require('node:dgram').createSocket('udp4');
     s.bind(() => { s.setBroadcast(true); let i = 0;
       const t = setInterval(() => { s.send('hello', ${PORT}, '${lab.broadcast}');
         if (++i === 20) { clearInterval(t); setTimeout(() => s.close(), 50); } }, 20); });`,
  );
  return Number((await listener).trim());
}

describe('netns lab', () => {
  let lab: NetLab | undefined;
  afterAll(async () => {
    await lab?.destroy();
  });

  it.skipIf(reason !== undefined)(
    'carries a UDP broadcast from one namespace to another, drops it on demand, and cleans up',
    async () => {
      const run = `t${process.pid % 100000}`;
      lab = await NetLab.create({ run, hosts: ['a', 'b'], subnetOctet: 77, peerPort: PORT });
      expect(await listNamespaces()).toEqual(
        expect.arrayContaining([lab.ns('a'), lab.ns('b'), lab.bridgeNs]),
      );
      expect(lab.address('b')).toBe('10.213.77.2');
      expect(await broadcastCount(lab, 'a', 'b')).toBe(20);

      await lab.addLoss('b', 1, 'in', 'test');
      expect(await broadcastCount(lab, 'a', 'b')).toBe(0);
      await lab.removeLoss('b', 1, 'in', 'test');
      expect(await broadcastCount(lab, 'a', 'b')).toBe(20);

      await lab.setLink('a', false); // the cable is pulled
      expect(await broadcastCount(lab, 'a', 'b')).toBe(0);
      await lab.setLink('a', true);
      expect(await broadcastCount(lab, 'a', 'b', 2500)).toBeGreaterThan(0);

      await lab.destroy();
      const left = (await listNamespaces()).filter((n) => n.startsWith(`emacc-${run}-`));
      expect(left).toEqual([]);
    },
  );
});
