/** Addresses as `host:port` (the elevator server's address in the node configuration). */

/** Address of the elevator server (the 4-byte TCP protocol). */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

// RFC 1123 host names: labels of letters, digits and inner hyphens.
const HOSTNAME_PATTERN =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV6_PATTERN = /^[0-9A-Fa-f:.]{2,45}$/;

/** Parses `host:port` (IPv6 as `[addr]:port`); `undefined` when malformed. */
export function parseHostPort(text: string): HostPort | undefined {
  const bracketed = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text);
  const plain = /^([^:[\]]+):(\d{1,5})$/.exec(text);
  const match = bracketed ?? plain;
  if (!match) return undefined;
  const host = match[1]!;
  const port = Number(match[2]);
  const hostOk = bracketed
    ? IPV6_PATTERN.test(host) && host.includes(':')
    : HOSTNAME_PATTERN.test(host);
  if (!hostOk || port < 1 || port > 65535) return undefined;
  return { host, port };
}

/** Formats a {@link HostPort} back to `host:port`. */
export function formatHostPort(hp: HostPort): string {
  return hp.host.includes(':') ? `[${hp.host}]:${hp.port}` : `${hp.host}:${hp.port}`;
}
