/**
 * The lab's network on the real kernel: two namespaces on a bridge, a UDP broadcast from one to
 * the other (tiny node scripts run inside the namespaces), a 100% drop rule that stops it, loss
 * per frame that loses fragmented datagrams more often than loss per datagram does, and a
 * cleanup that leaves nothing behind. Needs root: without it the tests are skipped, and the
 * reason is printed; with ELEVATOR_MESH_REQUIRE_LAB=1 (CI's root step) a missing lab fails.
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

/**
 * Listens on the peer port in `to` for up to `ms`, while `from` broadcasts `count` datagrams of
 * `bytes` (default 20 of 5: "hello"), one every `everyMs`.
 */
async function broadcastCount(
  lab: NetLab,
  from: string,
  to: string,
  ms = 1500,
  { count = 20, bytes = 5, everyMs = 20 } = {},
): Promise<number> {
  const listener = nodeIn(
    lab,
    to,
    `const s = require('node:dgram').createSocket('udp4'); let n = 0;
     s.on('message', (m, r) => { if (m.length === ${bytes}) n++; });
     s.bind(${PORT}, () => setTimeout(() => { console.log(n); s.close(); }, ${ms}));`,
  );
  await new Promise((r) => setTimeout(r, 300)); // the listener binds first
  await nodeIn(
    lab,
    from,
    `const s = require('node:dgram').createSocket('udp4');
     const m = ${bytes} === 5 ? Buffer.from('hello') : Buffer.alloc(${bytes}, 1);
     s.bind(() => { s.setBroadcast(true); let i = 0;
       const t = setInterval(() => { s.send(m, ${PORT}, '${lab.broadcast}');
         if (++i === ${count}) { clearInterval(t); setTimeout(() => s.close(), 50); } }, ${everyMs}); });`,
  );
  return Number((await listener).trim());
}

describe('netns lab', () => {
  let lab: NetLab | undefined;
  afterAll(async () => {
    await lab?.destroy();
  });

  // Where the lab must run (CI's root step), a missing lab is a failure, not a skip.
  it.runIf(reason !== undefined && process.env.ELEVATOR_MESH_REQUIRE_LAB === '1')(
    'has the lab it was told to require (ELEVATOR_MESH_REQUIRE_LAB=1)',
    () => {
      throw new Error(`ELEVATOR_MESH_REQUIRE_LAB=1 but ${reason ?? ''}`);
    },
  );

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

      for (const mode of ['datagram', 'frame'] as const) {
        await lab.addLoss('b', 1, 'in', 'test', mode);
        expect(await broadcastCount(lab, 'a', 'b'), mode).toBe(0);
        await lab.removeLoss('b', 1, 'in', 'test', mode);
        expect(await broadcastCount(lab, 'a', 'b'), mode).toBe(20);
        await lab.addLoss('a', 1, 'out', 'test', mode);
        expect(await broadcastCount(lab, 'a', 'b'), mode).toBe(0);
        await lab.removeLoss('a', 1, 'out', 'test', mode);
      }
      const before = await lab.sentTraffic();
      expect(await broadcastCount(lab, 'a', 'b', 1500, { count: 10, bytes: 5000 })).toBe(10);
      const after = await lab.sentTraffic();
      // 5,000 bytes of UDP payload leave as 4 fragments (1,480 + 1,480 + 1,480 + 568 bytes).
      expect(after['a']?.datagrams).toBe((before['a']?.datagrams ?? 0) + 10);
      expect(after['a']?.frames).toBe((before['a']?.frames ?? 0) + 40);

      await lab.setLink('a', false); // the cable is pulled
      expect(await broadcastCount(lab, 'a', 'b')).toBe(0);
      await lab.setLink('a', true);
      expect(await broadcastCount(lab, 'a', 'b', 2500)).toBeGreaterThan(0);

      // Loss per frame loses a 4-fragment datagram with 1 - 0.5^4; loss per datagram with 0.5.
      // 200 sends each: deliveries ~Binomial(200, 0.0625) (sd 3.4) and ~Binomial(200, 0.5)
      // (sd 7.1); the bounds are 8 or more standard deviations from either mean. The kernel's
      // random numbers cannot be seeded, hence the wide bounds.
      const lossy = { count: 200, bytes: 5000, everyMs: 10 };
      await lab.addLoss('b', 0.5, 'in', 'half', 'frame');
      const perFrame = await broadcastCount(lab, 'a', 'b', 2800, lossy);
      const dropped = (await lab.frameDrops()).filter((d) => d.tag === 'half');
      await lab.removeLoss('b', 0.5, 'in', 'half', 'frame');
      await lab.addLoss('b', 0.5, 'in', 'half', 'datagram');
      const perDatagram = await broadcastCount(lab, 'a', 'b', 2800, lossy);
      await lab.removeLoss('b', 0.5, 'in', 'half', 'datagram');
      expect(perFrame, 'per frame: ~12.5 of 200').toBeLessThan(45);
      expect(perDatagram, 'per datagram: ~100 of 200').toBeGreaterThan(55);
      expect(perDatagram).toBeLessThan(145);
      expect(dropped).toEqual([expect.objectContaining({ chain: 'post', port: 'v2' })]);
      expect(dropped[0]?.packets).toBeGreaterThan(300); // ~400 of the 800 frames
      expect(dropped[0]?.packets).toBeLessThan(500);
      expect(await lab.frameDrops()).toEqual([]); // removed
      expect(await broadcastCount(lab, 'a', 'b')).toBe(20);

      await lab.destroy();
      const left = (await listNamespaces()).filter((n) => n.startsWith(`emacc-${run}-`));
      expect(left).toEqual([]);
    },
  );
});
