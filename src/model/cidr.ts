/** IPv4 helpers; small enough that a dependency would cost more than it saves. */
export function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return undefined;
    n = n * 256 + Number(p);
  }
  return n;
}

/** The dotted-quad form of a 32-bit address. */
export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const b = ipv4ToInt(base ?? '');
  const a = ipv4ToInt(ip);
  const bits = Number(bitsText);
  if (b === undefined || a === undefined || !(bits >= 0 && bits <= 32)) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(a / size) === Math.floor(b / size);
}

/** Two CIDR blocks share an address exactly when one contains the other's base address. */
export function cidrOverlaps(a: string, b: string): boolean {
  return cidrContains(a, b.split('/')[0] ?? '') || cidrContains(b, a.split('/')[0] ?? '');
}
