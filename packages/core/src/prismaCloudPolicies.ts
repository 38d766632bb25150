import type { ControlDefinition } from './controls.js';

/**
 * Prisma Cloud's built-in "internet traffic to port X" policies for AWS security groups, by `policyId`. Only
 * ids that several independent sources agree on are here (Palo Alto's Prisma-Enhanced-Remediation runbook
 * table and its XSOAR playbooks); an alert of any other policy is `unsupported`, and recorded.
 */
export const PRISMA_CLOUD_POLICIES: readonly ControlDefinition[] = [
  {
    source: 'prisma-cloud',
    id: '617b9138-584b-4e8e-ad15-7fbabafbed1a',
    service: 'SSH',
    exposure: {
      kind: 'listed',
      exposures: [{ kind: 'port', protocol: 'tcp', port: 22 }],
      families: ['ipv4', 'ipv6'],
    },
  },
  {
    source: 'prisma-cloud',
    id: '519456f2-f9eb-407b-b32d-064f1ac7f0ca',
    service: 'Telnet',
    exposure: {
      kind: 'listed',
      exposures: [{ kind: 'port', protocol: 'tcp', port: 23 }],
      families: ['ipv4', 'ipv6'],
    },
  },
  {
    source: 'prisma-cloud',
    id: 'b82f90ce-ed8b-4b49-970c-2268b0a6c2e5',
    service: 'RDP',
    exposure: {
      kind: 'listed',
      exposures: [{ kind: 'port', protocol: 'tcp', port: 3389 }],
      families: ['ipv4', 'ipv6'],
    },
  },
];
