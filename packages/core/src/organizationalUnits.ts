/**
 * How the hub names an organisational unit it is told about (`ALLOWED_OUS`, `DRY_RUN_OUS`): an OU id
 * (`ou-ab12-11111111`), a root id (`r-ab12`, the whole organisation), or the unit's full organisation path as IAM's
 * `aws:ResourceOrgPaths` writes it (`o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/`). A path says the same unit and also
 * which organisation and where: the hub stack needs it for the IAM condition, the hub only needs the unit's id.
 */
export interface OrganizationalUnitRef {
  /** The unit the hub walks down from: `ou-...` or `r-...`. */
  id: string;
  /** The organisation, when the ref is a path. */
  organizationId: string | undefined;
  /** The full path ending in `/`, when the ref is a path. */
  path: string | undefined;
}

export const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;
const ROOT_ID = /^r-[0-9a-z]{4,32}$/;
const OU_ID = /^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$/;

/** The ref a text names, or `undefined` when it is none of an OU id, a root id or an organisation path. */
export function parseOrganizationalUnitRef(text: string): OrganizationalUnitRef | undefined {
  const value = text.trim();
  if (OU_ID.test(value) || ROOT_ID.test(value))
    return { id: value, organizationId: undefined, path: undefined };
  if (!value.endsWith('/')) return undefined;
  const segments = value.slice(0, -1).split('/');
  const [organizationId, root, ...units] = segments;
  if (organizationId === undefined || !ORGANIZATION_ID_PATTERN.test(organizationId)) return undefined;
  if (root === undefined || !ROOT_ID.test(root)) return undefined;
  if (!units.every((unit) => OU_ID.test(unit))) return undefined;
  return { id: units.at(-1) ?? root, organizationId, path: value };
}
