import { describe, expect, it } from 'vitest';
import { parseOrganizationalUnitRef } from '../../src/organizationalUnits.js';

describe('parseOrganizationalUnitRef', () => {
  it('reads an OU id and a root id as themselves', () => {
    expect(parseOrganizationalUnitRef(' ou-ab12-11111111 ')).toEqual({
      id: 'ou-ab12-11111111',
      organizationId: undefined,
      path: undefined,
    });
    expect(parseOrganizationalUnitRef('r-ab12')?.id).toBe('r-ab12');
  });

  it('reads an organisation path as its last unit, keeping the organisation and the path', () => {
    expect(parseOrganizationalUnitRef('o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/')).toEqual({
      id: 'ou-ab12-22222222',
      organizationId: 'o-a1b2c3d4e5',
      path: 'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/',
    });
    expect(parseOrganizationalUnitRef('o-a1b2c3d4e5/r-ab12/')?.id).toBe('r-ab12');
  });

  it('refuses names, paths without their trailing slash or root, and wildcards', () => {
    for (const text of [
      'Engineering',
      'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111',
      'o-a1b2c3d4e5/ou-ab12-11111111/',
      'o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*',
      'ou-AB12-11111111',
      '',
    ]) {
      expect(parseOrganizationalUnitRef(text), text).toBeUndefined();
    }
  });
});
