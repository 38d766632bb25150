import type { ControlDefinition, ExposureSpec } from './controls.js';
import type { Exposure } from './signatures.js';

const tcp = (port: number): Exposure => ({ kind: 'port', protocol: 'tcp', port });
const udp = (port: number): Exposure => ({ kind: 'port', protocol: 'udp', port });

/**
 * EC2.19's high-risk ports, as the Security Hub user guide lists them (the same 24 as AWS's own remediation,
 * ASR `SC_EC2.19.ts`). The list has grown over time: never read it from a finding's `Description`.
 */
export const EC2_19_PORTS: readonly number[] = [
  20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500, 5601, 8080,
  8088, 8888, 9200, 9300,
];

/** Remote administration ports of EC2.53 / EC2.54 (AWS Config `vpc-sg-port-restriction-check`, default). */
const ADMIN_PORTS = [22, 3389] as const;

/**
 * EC2.53 / EC2.54 check "TCP, UDP or ALL (-1)" (the Config rule's default `protocolType` ALL, and CIS 5.2's
 * wording), so both protocols are closed; RDP listens on udp 3389 as well.
 */
const admin = (family: 'ipv4' | 'ipv6'): ExposureSpec => ({
  kind: 'listed',
  exposures: [...ADMIN_PORTS.map(tcp), ...ADMIN_PORTS.map(udp)],
  families: [family],
});

/**
 * The Security Hub controls about world-open security groups, by their consolidated id (`SecurityControlId`).
 * EC2.13 and EC2.14 are titled "0.0.0.0/0 or ::/0" today; EC2.19 checks both CIDRs too.
 */
export const SECURITY_HUB_CONTROLS: readonly ControlDefinition[] = [
  {
    source: 'security-hub',
    id: 'EC2.13',
    service: 'SSH',
    exposure: { kind: 'listed', exposures: [tcp(22)], families: ['ipv4', 'ipv6'] },
  },
  {
    source: 'security-hub',
    id: 'EC2.14',
    service: 'RDP',
    exposure: { kind: 'listed', exposures: [tcp(3389)], families: ['ipv4', 'ipv6'] },
  },
  {
    source: 'security-hub',
    id: 'EC2.18',
    service: 'unauthorised ports',
    exposure: {
      kind: 'all-but-authorized',
      // The control's documented default: `authorizedTcpPorts` 80, 443; `authorizedUdpPorts` none.
      defaults: {
        tcp: [
          { from: 80, to: 80 },
          { from: 443, to: 443 },
        ],
        udp: [],
      },
      families: ['ipv4', 'ipv6'],
    },
  },
  {
    source: 'security-hub',
    id: 'EC2.19',
    service: 'high-risk ports',
    exposure: { kind: 'listed', exposures: EC2_19_PORTS.map(tcp), families: ['ipv4', 'ipv6'] },
  },
  { source: 'security-hub', id: 'EC2.53', service: 'remote administration, IPv4', exposure: admin('ipv4') },
  { source: 'security-hub', id: 'EC2.54', service: 'remote administration, IPv6', exposure: admin('ipv6') },
];

/**
 * CIS AWS Foundations Benchmark v1.2.0 findings of the per-standard kind name their check only by
 * `ProductFields.RuleId`: the control each rule is (Security Hub's CIS 1.2.0 mapping table).
 */
export const CIS_1_2_RULE_CONTROLS: Readonly<Record<string, string>> = {
  '4.1': 'EC2.13',
  '4.2': 'EC2.14',
};
