import { describe, expect, it } from 'vitest';
import {
  CIS_1_2_RULE_CONTROLS,
  CONTROLS,
  EC2_19_PORTS,
  type ExposureSpec,
  findControl,
  PRISMA_CLOUD_POLICIES,
  SECURITY_HUB_CONTROLS,
  SIGNATURES,
  SOURCES,
} from '../../src/index.js';

const tcp = (...ports: number[]) => ports.map((port) => ({ kind: 'port', protocol: 'tcp', port }) as const);
const udp = (...ports: number[]) => ports.map((port) => ({ kind: 'port', protocol: 'udp', port }) as const);

/** The issue's table, transcribed independently of securityHubControls.ts. */
const ISSUE_EC2_19 = [
  20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080,
  8088, 8888, 9200, 9300,
];
const SECURITY_HUB: Array<[string, ExposureSpec]> = [
  ['EC2.13', { kind: 'listed', exposures: tcp(22), families: ['ipv4', 'ipv6'] }],
  ['EC2.14', { kind: 'listed', exposures: tcp(3389), families: ['ipv4', 'ipv6'] }],
  [
    'EC2.18',
    {
      kind: 'all-but-authorized',
      defaults: {
        tcp: [
          { from: 80, to: 80 },
          { from: 443, to: 443 },
        ],
        udp: [],
      },
      families: ['ipv4', 'ipv6'],
    },
  ],
  ['EC2.19', { kind: 'listed', exposures: tcp(...ISSUE_EC2_19), families: ['ipv4', 'ipv6'] }],
  ['EC2.53', { kind: 'listed', exposures: [...tcp(22, 3389), ...udp(22, 3389)], families: ['ipv4'] }],
  ['EC2.54', { kind: 'listed', exposures: [...tcp(22, 3389), ...udp(22, 3389)], families: ['ipv6'] }],
];
const PRISMA: Array<[string, ExposureSpec]> = [
  [
    '617b9138-584b-4e8e-ad15-7fbabafbed1a',
    { kind: 'listed', exposures: tcp(22), families: ['ipv4', 'ipv6'] },
  ],
  [
    '519456f2-f9eb-407b-b32d-064f1ac7f0ca',
    { kind: 'listed', exposures: tcp(23), families: ['ipv4', 'ipv6'] },
  ],
  [
    'b82f90ce-ed8b-4b49-970c-2268b0a6c2e5',
    { kind: 'listed', exposures: tcp(3389), families: ['ipv4', 'ipv6'] },
  ],
];

describe('CONTROLS, the registry of every source', () => {
  it('holds the 19 Evident signatures as they are, about both world CIDRs', () => {
    const evident = CONTROLS.filter((control) => control.source === 'evident');
    expect(evident.map((control) => [control.id, control.service, control.exposure])).toEqual(
      SIGNATURES.map((s) => [
        s.identifier,
        s.service,
        { kind: 'listed', exposures: [s.exposure], families: ['ipv4', 'ipv6'] },
      ]),
    );
  });

  it('holds the Security Hub controls of the issue', () => {
    expect(SECURITY_HUB_CONTROLS.map((control) => [control.id, control.exposure])).toEqual(SECURITY_HUB);
    expect(EC2_19_PORTS).toEqual(ISSUE_EC2_19);
  });

  it('holds the Prisma Cloud policies of the issue', () => {
    expect(PRISMA_CLOUD_POLICIES.map((control) => [control.id, control.exposure])).toEqual(PRISMA);
  });

  it('maps CIS 1.2.0 rules 4.1 and 4.2 to EC2.13 and EC2.14', () => {
    expect(CIS_1_2_RULE_CONTROLS).toEqual({ '4.1': 'EC2.13', '4.2': 'EC2.14' });
  });

  it('has one row per source and id, each of a known source and with a name for reasons', () => {
    expect(new Set(CONTROLS.map((c) => `${c.source} ${c.id}`)).size).toBe(CONTROLS.length);
    expect(CONTROLS.length).toBe(19 + 6 + 3);
    for (const control of CONTROLS) {
      expect(SOURCES).toContain(control.source);
      expect(control.service).not.toBe('');
    }
  });

  it('finds a row by source and id, and nothing across sources', () => {
    expect(findControl('security-hub', 'EC2.19')?.service).toBe('high-risk ports');
    expect(findControl('evident', 'AWS:EC2-002')?.service).toBe('SSH');
    expect(findControl('prisma-cloud', '519456f2-f9eb-407b-b32d-064f1ac7f0ca')?.service).toBe('Telnet');
    expect(findControl('evident', 'EC2.19')).toBeUndefined();
    expect(findControl('security-hub', 'AWS:EC2-002')).toBeUndefined();
    expect(findControl('security-hub', 'ec2.19')).toBeUndefined();
  });
});
