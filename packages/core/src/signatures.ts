/**
 * What one Evident signature reports as exposed to the world; a Security Hub or Prisma Cloud control lists these
 * too (`ExposureSpec`). Whether a rule opens it: `opensTarget`.
 */
export type Exposure =
  | { kind: 'port'; protocol: 'tcp' | 'udp'; port: number }
  /** ICMP echo request: type 8 for `icmp`, 128 for `icmpv6` (or -1, all types). */
  | { kind: 'icmp-echo' };

export interface SignatureDefinition {
  identifier: string;
  service: string;
  exposure: Exposure;
}

const port = (protocol: 'tcp' | 'udp', p: number): Exposure => ({ kind: 'port', protocol, port: p });

/**
 * Evident built-in "global access" signatures. Data, not code paths: adding a signature is one row.
 */
export const SIGNATURES: readonly SignatureDefinition[] = [
  { identifier: 'AWS:EC2-002', service: 'SSH', exposure: port('tcp', 22) },
  { identifier: 'AWS:EC2-003', service: 'Telnet', exposure: port('tcp', 23) },
  { identifier: 'AWS:EC2-004', service: 'RDP', exposure: port('tcp', 3389) },
  { identifier: 'AWS:EC2-009', service: 'MySQL', exposure: port('tcp', 3306) },
  { identifier: 'AWS:EC2-010', service: 'PostgreSQL', exposure: port('tcp', 5432) },
  { identifier: 'AWS:EC2-011', service: 'SQL Server', exposure: port('tcp', 1433) },
  { identifier: 'AWS:EC2-012', service: 'SQL Server', exposure: port('udp', 1434) },
  { identifier: 'AWS:EC2-013', service: 'mSQL', exposure: port('tcp', 4333) },
  { identifier: 'AWS:EC2-014', service: 'VNC listener', exposure: port('tcp', 5500) },
  { identifier: 'AWS:EC2-015', service: 'VNC', exposure: port('tcp', 5900) },
  { identifier: 'AWS:EC2-016', service: 'NetBIOS', exposure: port('udp', 137) },
  { identifier: 'AWS:EC2-017', service: 'NetBIOS', exposure: port('udp', 138) },
  { identifier: 'AWS:EC2-018', service: 'CIFS', exposure: port('udp', 445) },
  { identifier: 'AWS:EC2-019', service: 'FTP', exposure: port('tcp', 21) },
  { identifier: 'AWS:EC2-020', service: 'FTP data', exposure: port('tcp', 20) },
  { identifier: 'AWS:EC2-021', service: 'SMTP', exposure: port('tcp', 25) },
  { identifier: 'AWS:EC2-022', service: 'ping', exposure: { kind: 'icmp-echo' } },
  { identifier: 'AWS:EC2-023', service: 'DNS', exposure: port('udp', 53) },
  { identifier: 'AWS:EC2-024', service: 'DNS', exposure: port('tcp', 53) },
];

const byIdentifier = new Map(SIGNATURES.map((s) => [s.identifier, s]));

export function findSignature(identifier: string): SignatureDefinition | undefined {
  return byIdentifier.get(identifier);
}
