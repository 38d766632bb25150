import { describe, expect, it } from 'vitest';
import {
  MalformedSecurityGroupError,
  protocolName,
  readPermission,
  worldExposures,
} from '../../src/index.js';
import { allTraffic, permission, tcp } from '../support/factories.js';

describe('worldExposures', () => {
  it('lists every world CIDR of every permission, with its protocol, ports and description', () => {
    expect(
      worldExposures([
        tcp(22, 22, '0.0.0.0/0', '10.0.0.0/8', '::/0'),
        { IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'everyone' }] },
        permission('icmpv6', 128, -1, '2001:db8::/32'),
      ]),
    ).toEqual([
      {
        ipProtocol: 'tcp',
        protocol: 'tcp',
        fromPort: 22,
        toPort: 22,
        cidr: '0.0.0.0/0',
        family: 'ipv4',
        description: undefined,
      },
      {
        ipProtocol: 'tcp',
        protocol: 'tcp',
        fromPort: 22,
        toPort: 22,
        cidr: '::/0',
        family: 'ipv6',
        description: undefined,
      },
      {
        ipProtocol: '-1',
        protocol: 'all',
        fromPort: undefined,
        toPort: undefined,
        cidr: '0.0.0.0/0',
        family: 'ipv4',
        description: 'everyone',
      },
    ]);
  });

  it('is empty without permissions', () => {
    expect(worldExposures(undefined)).toEqual([]);
    expect(worldExposures([allTraffic('10.0.0.0/8')])).toEqual([]);
  });

  it('refuses a malformed permission even without a world CIDR', () => {
    expect(() => worldExposures([{ IpProtocol: 'udp', IpRanges: [{ CidrIp: '10.0.0.0/8' }] }])).toThrow(
      MalformedSecurityGroupError,
    );
  });
});

describe('readPermission', () => {
  it.each([
    ['tcp', 'tcp'],
    ['TCP', 'tcp'],
    ['6', 'tcp'],
    ['udp', 'udp'],
    ['17', 'udp'],
    ['icmp', 'icmp'],
    ['1', 'icmp'],
    ['icmpv6', 'icmpv6'],
    ['58', 'icmpv6'],
    ['-1', 'all'],
    ['47', 'other'],
    ['esp', 'other'],
  ])('reads protocol %s as %s', (ipProtocol, name) => {
    expect(protocolName(ipProtocol)).toBe(name);
  });

  it('names a permission without a position generically', () => {
    expect(() => readPermission({ IpProtocol: '' })).toThrow(
      'IpPermission: IpProtocol: expected a protocol name or number, got ""',
    );
  });

  it('keeps the permission as it came', () => {
    expect(readPermission(permission('17', 53, 53, '0.0.0.0/0'), 0)).toEqual({
      ipProtocol: '17',
      protocol: 'udp',
      fromPort: 53,
      toPort: 53,
    });
  });
});
