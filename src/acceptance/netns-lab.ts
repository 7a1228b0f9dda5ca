/**
 * A small LAN on this machine, made of Linux network namespaces: one namespace per host, each
 * with a veth "cable" plugged into a bridge that lives in a namespace of its own. Nothing touches
 * the machine's own interfaces: every interface, address, route and iptables rule is created
 * inside namespaces this lab owns, so deleting them removes everything.
 *
 * Names carry a run prefix (`emacc-<run>-`) so {@link cleanupLeftovers} can find what a crashed
 * run left behind. Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN).
 *
 * Faults:
 * - packet loss per frame (the default, {@link LossMode} `frame`): what a lossy cable does. A
 *   datagram larger than one frame leaves as IP fragments and is reassembled only if every
 *   fragment arrives, so it is lost more often than a frame. nftables rules of the bridge family
 *   in the bridge's namespace drop a random share of the IPv4 UDP frames a host sends (hook
 *   `prerouting`, matched on the port the frame comes in by: once per frame, for every receiver
 *   at once, like loss on the host's own end of the cable) or receives (hook `postrouting`,
 *   matched on the port it leaves by: once per frame and receiver, like loss on the bridge's end
 *   of the host's cable). That is what `tc ... netem loss` on each end of the veth would do;
 *   netem is not in every kernel (not in this lab's), while IP-layer rules cannot see outgoing
 *   fragments at all (a datagram is fragmented after the last IP hook, POSTROUTING) and see
 *   incoming ones only until something in the namespace enables conntrack's defragmentation,
 *   which runs before the raw table. The only UDP on a lab cable is the peers' traffic (the
 *   simulator and its control API are on each namespace's loopback), and non-first fragments
 *   carry no port, so the rules match every IPv4 UDP frame;
 * - packet loss per datagram (`datagram`, the lab's original mode): iptables rules with the
 *   `statistic` match in a host's INPUT/OUTPUT, only for the peer UDP port, in per-host chains
 *   (`EM_IN`, `EM_OUT`) so each fault's rule is removed exactly. The kernel has reassembled the
 *   datagram before INPUT and fragments it after OUTPUT, so a drop there loses one whole
 *   datagram whatever its size;
 * - a pulled cable: the bridge side of the host's veth goes down (the host sees no carrier and
 *   keeps its address and routes, as with a real cable), or a 100% drop rule.
 */
import { run } from './shell.js';

/** Prefix of every namespace any acceptance run creates. */
export const LAB_PREFIX = 'emacc-';

export interface LabOptions {
  /** Short id of the run; namespaces are `emacc-<run>-<host>`. */
  run: string;
  hosts: readonly string[];
  /** Third octet of the lab's subnet 10.213.<octet>.0/24 (visible only inside the lab). */
  subnetOctet: number;
  /** UDP port the loss rules apply to. */
  peerPort: number;
}

export type LossDirection = 'in' | 'out' | 'both';

/** Where loss applies: to frames on the cable (before reassembly) or to whole datagrams. */
export type LossMode = 'frame' | 'datagram';

/** The nftables table (bridge family, in the bridge namespace) of the per-frame loss rules. */
const FRAME_TABLE = 'emloss';
/** Resolution of a frame-loss rate: the rule drops when a random number mod this is under it. */
const FRAME_RATE_SCALE = 1_000_000;

/** A network of namespaces (see module comment). */
export class NetLab {
  readonly run: string;
  readonly hosts: readonly string[];
  readonly broadcast: string;
  private readonly octet: number;
  private readonly peerPort: number;
  /** Handles of the per-frame loss rules, by {@link frameRuleKey}. */
  private readonly frameRules = new Map<string, { chain: string; handle: number }[]>();
  private destroyed = false;

  private constructor(opts: LabOptions) {
    this.run = opts.run;
    this.hosts = opts.hosts;
    this.octet = opts.subnetOctet;
    this.peerPort = opts.peerPort;
    this.broadcast = `10.213.${opts.subnetOctet}.255`;
  }

  /** Creates the lab; on failure, removes whatever it created and rethrows. */
  static async create(opts: LabOptions): Promise<NetLab> {
    if (!/^[a-z0-9]{1,8}$/.test(opts.run)) throw new Error(`bad run id ${opts.run}`);
    const lab = new NetLab(opts);
    try {
      await lab.build();
    } catch (err) {
      await lab.destroy();
      throw err;
    }
    return lab;
  }

  /** Namespace of the bridge. */
  get bridgeNs(): string {
    return `${LAB_PREFIX}${this.run}-br`;
  }

  /** Namespace of a host. */
  ns(host: string): string {
    return `${LAB_PREFIX}${this.run}-${host}`;
  }

  /** The host's address on the lab's subnet. */
  address(host: string): string {
    return `10.213.${this.octet}.${this.index(host) + 1}`;
  }

  private index(host: string): number {
    const i = this.hosts.indexOf(host);
    if (i < 0) throw new Error(`no host ${host} in the lab`);
    return i;
  }

  /** The bridge-side end of a host's cable (an interface name in the bridge namespace). */
  private port(host: string): string {
    return `v${this.index(host) + 1}`;
  }

  private async build(): Promise<void> {
    const br = this.bridgeNs;
    await run('ip', ['netns', 'add', br]);
    await run('ip', ['-n', br, 'link', 'add', 'br0', 'type', 'bridge']);
    await run('ip', ['-n', br, 'link', 'set', 'br0', 'up']);
    // Per-frame loss: `pre` sees each frame once as it enters from a host's cable, `post` each
    // copy as it leaves towards a host. Priority -300: before anything else on those hooks.
    await this.nft(['add', 'table', 'bridge', FRAME_TABLE]);
    for (const [chain, hook] of [
      ['pre', 'prerouting'],
      ['post', 'postrouting'],
    ] as const) {
      await this.nft([
        'add',
        'chain',
        'bridge',
        FRAME_TABLE,
        chain,
        `{ type filter hook ${hook} priority -300; policy accept; }`,
      ]);
    }
    for (const host of this.hosts) {
      const ns = this.ns(host);
      await run('ip', ['netns', 'add', ns]);
      await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      await run('ip', [
        '-n',
        br,
        'link',
        'add',
        this.port(host),
        'type',
        'veth',
        'peer',
        'name',
        'eth0',
        'netns',
        ns,
      ]);
      await run('ip', ['-n', br, 'link', 'set', this.port(host), 'master', 'br0', 'up']);
      // What the host sends (counted before any loss rule): every UDP frame, and the first
      // fragments (whole datagrams included), which count datagrams.
      const udp = ['iifname', this.port(host), 'ether', 'type', 'ip', 'ip', 'protocol', 'udp'];
      await this.nft([
        'add',
        'rule',
        'bridge',
        FRAME_TABLE,
        'pre',
        ...udp,
        'counter',
        'comment',
        `"tx ${host}"`,
      ]);
      await this.nft([
        'add',
        'rule',
        'bridge',
        FRAME_TABLE,
        'pre',
        ...udp,
        'ip',
        'frag-off',
        '&',
        '0x1fff',
        '==',
        '0',
        'counter',
        'comment',
        `"datagrams ${host}"`,
      ]);
      await run('ip', [
        '-n',
        ns,
        'addr',
        'add',
        `${this.address(host)}/24`,
        'brd',
        '+',
        'dev',
        'eth0',
      ]);
      await run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
      await run('ip', ['-n', ns, 'route', 'add', 'default', 'dev', 'eth0']);
      const port = String(this.peerPort);
      await this.iptables(host, ['-N', 'EM_IN']);
      await this.iptables(host, ['-N', 'EM_OUT']);
      await this.iptables(host, ['-A', 'INPUT', '-p', 'udp', '--dport', port, '-j', 'EM_IN']);
      await this.iptables(host, ['-A', 'OUTPUT', '-p', 'udp', '--dport', port, '-j', 'EM_OUT']);
    }
  }

  private iptables(host: string, args: string[]): Promise<string> {
    return run('ip', ['netns', 'exec', this.ns(host), 'iptables', '-w', ...args]);
  }

  private nft(args: string[]): Promise<string> {
    return run('ip', ['netns', 'exec', this.bridgeNs, 'nft', ...args]);
  }

  private lossRule(rate: number, tag: string): string[] {
    const match =
      rate >= 1 ? [] : ['-m', 'statistic', '--mode', 'random', '--probability', String(rate)];
    return [...match, '-m', 'comment', '--comment', tag, '-j', 'DROP'];
  }

  /**
   * Drops `rate` of the host's peer traffic in the given direction(s): of its frames on the
   * cable (`frame`, the default) or of its whole datagrams (`datagram`); see the module comment.
   * `tag` names the rule; {@link removeLoss} with the same arguments removes it.
   */
  async addLoss(
    host: string,
    rate: number,
    direction: LossDirection,
    tag: string,
    mode: LossMode = 'frame',
  ): Promise<void> {
    if (mode === 'datagram') {
      for (const chain of chains(direction))
        await this.iptables(host, ['-A', chain, ...this.lossRule(rate, tag)]);
      return;
    }
    const key = frameRuleKey(host, rate, direction, tag);
    if (this.frameRules.has(key)) throw new Error(`frame loss ${key} is already on`);
    const handles: { chain: string; handle: number }[] = [];
    this.frameRules.set(key, handles);
    const threshold = Math.round(rate * FRAME_RATE_SCALE);
    const random: string[] =
      rate >= 1
        ? []
        : ['numgen', 'random', 'mod', String(FRAME_RATE_SCALE), '<', String(threshold)];
    for (const d of direction === 'both' ? (['out', 'in'] as const) : [direction]) {
      // Out: frames the host sends, entering the bridge by its port; in: copies leaving by it.
      const [chain, port] = d === 'out' ? ['pre', 'iifname'] : ['post', 'oifname'];
      const out = await this.nft([
        '--echo',
        '--handle',
        'add',
        'rule',
        'bridge',
        FRAME_TABLE,
        chain,
        port,
        this.port(host),
        'ether',
        'type',
        'ip',
        'ip',
        'protocol',
        'udp',
        ...random,
        'counter',
        'drop',
        'comment',
        `"${tag}"`,
      ]);
      const handle = /# handle (\d+)/.exec(out)?.[1];
      if (handle === undefined) throw new Error(`nft did not report the rule's handle: ${out}`);
      handles.push({ chain, handle: Number(handle) });
    }
  }

  /** Removes a rule added by {@link addLoss} with the same arguments. */
  async removeLoss(
    host: string,
    rate: number,
    direction: LossDirection,
    tag: string,
    mode: LossMode = 'frame',
  ): Promise<void> {
    if (mode === 'datagram') {
      for (const chain of chains(direction))
        await this.iptables(host, ['-D', chain, ...this.lossRule(rate, tag)]);
      return;
    }
    const key = frameRuleKey(host, rate, direction, tag);
    const handles = this.frameRules.get(key);
    if (handles === undefined) throw new Error(`no frame loss ${key} to remove`);
    this.frameRules.delete(key);
    for (const { chain, handle } of handles)
      await this.nft(['delete', 'rule', 'bridge', FRAME_TABLE, chain, 'handle', String(handle)]);
  }

  /**
   * Frames the per-frame loss rules dropped so far, per rule: `{ tag, chain, port, packets }`
   * (for the lab's own tests and experiments).
   */
  async frameDrops(): Promise<{ tag: string; chain: string; port: string; packets: number }[]> {
    const out = await this.nft(['list', 'table', 'bridge', FRAME_TABLE]);
    const drops: { tag: string; chain: string; port: string; packets: number }[] = [];
    let chain = '';
    for (const line of out.split('\n')) {
      const c = /^\s*chain (\S+)/.exec(line);
      if (c) chain = c[1] ?? '';
      const r = /[io]ifname "([^"]+)".*counter packets (\d+).* drop comment "([^"]+)"/.exec(line);
      if (r) drops.push({ chain, port: r[1] ?? '', packets: Number(r[2]), tag: r[3] ?? '' });
    }
    return drops;
  }

  /**
   * What each host sent on its cable so far (UDP over IPv4, before any loss): datagrams, the
   * frames they took (one per fragment) and their bytes on the wire (IP headers included).
   */
  async sentTraffic(): Promise<
    Record<string, { datagrams: number; frames: number; bytes: number }>
  > {
    const out = await this.nft(['list', 'chain', 'bridge', FRAME_TABLE, 'pre']);
    const sent: Record<string, { datagrams: number; frames: number; bytes: number }> = {};
    for (const host of this.hosts) sent[host] = { datagrams: 0, frames: 0, bytes: 0 };
    for (const line of out.split('\n')) {
      const m = /counter packets (\d+) bytes (\d+) comment "(tx|datagrams) ([a-z0-9]+)"/.exec(line);
      const entry = m?.[4] === undefined ? undefined : sent[m[4]];
      if (m === null || entry === undefined) continue;
      if (m[3] === 'tx') {
        entry.frames = Number(m[1]);
        entry.bytes = Number(m[2]);
      } else entry.datagrams = Number(m[1]);
    }
    return sent;
  }

  /** Pulls (`false`) or plugs back (`true`) the host's cable at the bridge. */
  async setLink(host: string, up: boolean): Promise<void> {
    await run('ip', ['-n', this.bridgeNs, 'link', 'set', this.port(host), up ? 'up' : 'down']);
  }

  /** Command prefix that runs a program inside a host's namespace. */
  execPrefix(host: string): string[] {
    return ['ip', 'netns', 'exec', this.ns(host)];
  }

  /** Kills every process left in the lab's namespaces and deletes them. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await removeNamespaces((name) => name.startsWith(`${LAB_PREFIX}${this.run}-`));
  }
}

function frameRuleKey(host: string, rate: number, direction: LossDirection, tag: string): string {
  return `${host}/${rate}/${direction}/${tag}`;
}

function chains(direction: LossDirection): string[] {
  return direction === 'in' ? ['EM_IN'] : direction === 'out' ? ['EM_OUT'] : ['EM_IN', 'EM_OUT'];
}

/** Names of the namespaces that exist. */
export async function listNamespaces(): Promise<string[]> {
  const out = await run('ip', ['netns', 'list']);
  return out
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((n) => n.length > 0);
}

async function removeNamespaces(match: (name: string) => boolean): Promise<string[]> {
  const names = (await listNamespaces()).filter(match);
  for (const name of names) {
    // A namespace lives on while a process is in it: kill those first.
    const pids = await run('ip', ['netns', 'pids', name]).catch(() => '');
    for (const pid of pids.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await run('ip', ['netns', 'del', name]).catch(() => undefined);
  }
  return names;
}

/** Removes every namespace (and its processes) left by any acceptance run; returns their names. */
export function cleanupLeftovers(): Promise<string[]> {
  return removeNamespaces((name) => name.startsWith(LAB_PREFIX));
}

/** Why this machine cannot build a lab, or `undefined` when it can. */
export async function labUnavailableReason(): Promise<string | undefined> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return 'the acceptance lab needs root (it creates network namespaces and iptables rules); run it as root, e.g. with sudo';
  }
  try {
    await run('ip', ['-V']);
  } catch {
    return 'the acceptance lab needs the `ip` command (apt-get install iproute2)';
  }
  try {
    await run('iptables', ['-V']);
  } catch {
    return 'the acceptance lab needs the `iptables` command (apt-get install iptables)';
  }
  try {
    await run('nft', ['--version']);
  } catch {
    return 'the acceptance lab needs the `nft` command for per-frame loss (apt-get install nftables)';
  }
  const probe = `${LAB_PREFIX}probe${process.pid}`;
  try {
    await run('ip', ['netns', 'add', probe]);
  } catch (err) {
    return `cannot create network namespaces here: ${(err as Error).message}`;
  } finally {
    await run('ip', ['netns', 'del', probe]).catch(() => undefined);
  }
  return undefined;
}

/** Exit code of `elevator-mesh acceptance` when the lab cannot run here (as automake's "skip"). */
export const EXIT_SKIP = 77;
