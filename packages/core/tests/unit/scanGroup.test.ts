import { describe, expect, it } from 'vitest';
import { CONTROLS, findControl, SCAN_CONTROLS, scanGroup } from '../../src/index.js';
import { allTraffic, makeGroup, NARROW, PLAN_TIME, REVOKE, tcp, udp } from '../support/factories.js';

const KEY = 'remediation-hub:exempt';
const evident = CONTROLS.filter((control) => control.source === 'evident');
const ids = (scan: ReturnType<typeof scanGroup>) =>
  scan.exposures.map((e) => `${e.control.source}/${e.control.id}`);

describe('scanGroup', () => {
  it('finds each control a world-open group fails, once per rule: SSH is closed by the first control about it', () => {
    const scan = scanGroup(
      makeGroup([tcp(22, 22, '0.0.0.0/0', '10.0.0.0/8'), tcp(3389, 3389, '::/0')]),
      REVOKE,
    );
    expect(ids(scan)).toEqual(['evident/AWS:EC2-002', 'evident/AWS:EC2-004']);
    expect(scan.exposures.map((e) => e.plan.revoke)).toEqual([
      [tcp(22, 22, '0.0.0.0/0')],
      [tcp(3389, 3389, '::/0')],
    ]);
    expect(scan.uncovered).toEqual([]);
    expect(scan.notWorld).toEqual([tcp(22, 22, '10.0.0.0/8')]);
    expect(scan.exemption).toBeUndefined();
  });

  it('reaches the controls of other sources for what no signature covers (EC2.18 for 8080), and leaves authorised ports', () => {
    const scan = scanGroup(makeGroup([tcp(8080, 8080, '0.0.0.0/0'), tcp(443, 443, '0.0.0.0/0')]), REVOKE);
    expect(ids(scan)).toEqual(['security-hub/EC2.18']);
    expect(scan.uncovered).toEqual([tcp(443, 443, '0.0.0.0/0')]);
  });

  it('plans only the controls it is given, in their order', () => {
    const scan = scanGroup(makeGroup([tcp(8080, 8080, '0.0.0.0/0'), tcp(22, 22, '0.0.0.0/0')]), {
      ...REVOKE,
      controls: evident,
    });
    expect(ids(scan)).toEqual(['evident/AWS:EC2-002']);
    expect(scan.uncovered).toEqual([tcp(8080, 8080, '0.0.0.0/0')]);
  });

  it('revokes a world-open range whole for its first control under revoke', () => {
    const scan = scanGroup(makeGroup([tcp(0, 65535, '0.0.0.0/0')]), REVOKE);
    expect(ids(scan)).toEqual(['evident/AWS:EC2-002']);
    expect(scan.uncovered).toEqual([]);
  });

  it('under narrow, lets each control close its own ports of a range, from what the previous one left', () => {
    const scan = scanGroup(makeGroup([tcp(20, 25, '0.0.0.0/0')]), { ...NARROW, controls: evident });
    // SSH, Telnet, FTP, FTP data, SMTP: each port of 20-25 that a signature names; 24 stays open.
    expect(ids(scan)).toEqual([
      'evident/AWS:EC2-002',
      'evident/AWS:EC2-003',
      'evident/AWS:EC2-019',
      'evident/AWS:EC2-020',
      'evident/AWS:EC2-021',
    ]);
    expect(scan.exposures[1]?.plan.revoke).toEqual([tcp(23, 25, '0.0.0.0/0')]);
    expect(scan.uncovered).toEqual([tcp(24, 24, '0.0.0.0/0')]);
  });

  it('lists what an exemption that holds leaves open, and plans nothing for it', () => {
    const group = makeGroup(
      [tcp(22, 22, '0.0.0.0/0'), udp(53, 53, '0.0.0.0/0')],
      [{ Key: KEY, Value: '2027-04-30' }],
    );
    const scan = scanGroup(group, REVOKE);
    expect(scan.exemption).toEqual({ kind: 'exempt', tag: KEY, value: '2027-04-30', until: '2027-04-30' });
    expect(scan.exposures).toEqual([]);
    expect(scan.exempted.map((e) => e.control.id)).toEqual(['AWS:EC2-002', 'AWS:EC2-023']);
  });

  it('treats an expired exemption as none, and says so on each plan', () => {
    const group = makeGroup([tcp(22, 22, '0.0.0.0/0')], [{ Key: KEY, Value: '2027-03-30' }]);
    const scan = scanGroup(group, { ...REVOKE, now: PLAN_TIME });
    expect(scan.exemption?.kind).toBe('expired');
    expect(ids(scan)).toEqual(['evident/AWS:EC2-002']);
    expect(scan.exposures[0]?.plan.explanation.notes).toEqual([
      { code: 'exemption-expired', tag: KEY, until: '2027-03-30' },
    ]);
  });

  it('finds nothing in a private group, and keeps its rules as narrower sources', () => {
    const scan = scanGroup(
      makeGroup([
        tcp(22, 22, '10.0.0.0/8'),
        { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, UserIdGroupPairs: [{ GroupId: 'sg-1' }] },
      ]),
      REVOKE,
    );
    expect(scan.exposures).toEqual([]);
    expect(scan.uncovered).toEqual([]);
    expect(scan.notWorld).toHaveLength(2);
  });

  it('closes all traffic with its first control and leaves nothing', () => {
    const scan = scanGroup(makeGroup([allTraffic('0.0.0.0/0', '::/0')]), REVOKE);
    expect(ids(scan)).toEqual(['evident/AWS:EC2-002']);
    expect(scan.uncovered).toEqual([]);
  });

  it('throws for a permission the planner cannot read', () => {
    expect(() =>
      scanGroup(makeGroup([{ IpProtocol: 'tcp', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }]), REVOKE),
    ).toThrow(/FromPort/);
  });
});

describe('SCAN_CONTROLS', () => {
  it('holds every control of the registry again under source scan, closing the same exposure', () => {
    expect(SCAN_CONTROLS).toHaveLength(CONTROLS.length);
    for (const control of CONTROLS) {
      const row = findControl('scan', `${control.source}/${control.id}`);
      expect(row).toEqual({ ...control, source: 'scan', id: `${control.source}/${control.id}` });
    }
    expect(findControl('scan', 'AWS:EC2-002')).toBeUndefined();
  });
});
