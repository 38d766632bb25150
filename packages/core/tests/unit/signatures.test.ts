import { describe, expect, it } from 'vitest';
import { type Exposure, findSignature, SIGNATURES } from '../../src/index.js';

/** The table of design.md, "Signatures the hub knows", transcribed independently of signatures.ts. */
const DESIGN: Array<[string, Exposure]> = [
  ['AWS:EC2-002', { kind: 'port', protocol: 'tcp', port: 22 }],
  ['AWS:EC2-003', { kind: 'port', protocol: 'tcp', port: 23 }],
  ['AWS:EC2-004', { kind: 'port', protocol: 'tcp', port: 3389 }],
  ['AWS:EC2-009', { kind: 'port', protocol: 'tcp', port: 3306 }],
  ['AWS:EC2-010', { kind: 'port', protocol: 'tcp', port: 5432 }],
  ['AWS:EC2-011', { kind: 'port', protocol: 'tcp', port: 1433 }],
  ['AWS:EC2-012', { kind: 'port', protocol: 'udp', port: 1434 }],
  ['AWS:EC2-013', { kind: 'port', protocol: 'tcp', port: 4333 }],
  ['AWS:EC2-014', { kind: 'port', protocol: 'tcp', port: 5500 }],
  ['AWS:EC2-015', { kind: 'port', protocol: 'tcp', port: 5900 }],
  ['AWS:EC2-016', { kind: 'port', protocol: 'udp', port: 137 }],
  ['AWS:EC2-017', { kind: 'port', protocol: 'udp', port: 138 }],
  ['AWS:EC2-018', { kind: 'port', protocol: 'udp', port: 445 }],
  ['AWS:EC2-019', { kind: 'port', protocol: 'tcp', port: 21 }],
  ['AWS:EC2-020', { kind: 'port', protocol: 'tcp', port: 20 }],
  ['AWS:EC2-021', { kind: 'port', protocol: 'tcp', port: 25 }],
  ['AWS:EC2-022', { kind: 'icmp-echo' }],
  ['AWS:EC2-023', { kind: 'port', protocol: 'udp', port: 53 }],
  ['AWS:EC2-024', { kind: 'port', protocol: 'tcp', port: 53 }],
];

describe('SIGNATURES', () => {
  it('holds exactly the 19 signatures of the design', () => {
    expect(SIGNATURES).toHaveLength(19);
    expect(SIGNATURES.map((s) => [s.identifier, s.exposure])).toEqual(DESIGN);
  });

  it.each(DESIGN)('finds %s', (identifier, exposure) => {
    expect(findSignature(identifier)?.exposure).toEqual(exposure);
    expect(findSignature(identifier)?.service).not.toBe('');
  });

  it('knows no other identifier', () => {
    expect(findSignature('AWS:EC2-001')).toBeUndefined();
    expect(findSignature('aws:ec2-002')).toBeUndefined();
  });
});
