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
 * - packet loss: iptables rules with the `statistic` match in a host's INPUT/OUTPUT, only for the
 *   peer UDP port, in per-host chains (`EM_IN`, `EM_OUT`) so each fault's rule is removed exactly;
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

/** A network of namespaces (see module comment). */
export class NetLab {
  readonly run: string;
  readonly hosts: readonly string[];
  readonly broadcast: string;
  private readonly octet: number;
  private readonly peerPort: number;
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

  private lossRule(rate: number, tag: string): string[] {
    const match =
      rate >= 1 ? [] : ['-m', 'statistic', '--mode', 'random', '--probability', String(rate)];
    return [...match, '-m', 'comment', '--comment', tag, '-j', 'DROP'];
  }

  /** Drops `rate` of the host's peer datagrams in the given direction(s); `tag` names the rule. */
  async addLoss(host: string, rate: number, direction: LossDirection, tag: string): Promise<void> {
    for (const chain of chains(direction))
      await this.iptables(host, ['-A', chain, ...this.lossRule(rate, tag)]);
  }

  /** Removes a rule added by {@link addLoss} with the same arguments. */
  async removeLoss(
    host: string,
    rate: number,
    direction: LossDirection,
    tag: string,
  ): Promise<void> {
    for (const chain of chains(direction))
      await this.iptables(host, ['-D', chain, ...this.lossRule(rate, tag)]);
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
