import { readAlertDocument } from './readAlertDocument.js';

const SAFE = /^[\w.:@/+=-]{1,256}$/;

/**
 * `<account>:<region>:<security group>` of an alert message (raw document or SNS envelope), read cheaply
 * without validating the alert, so a batch can keep alerts about one group apart from each other; `undefined`
 * when any of the three cannot be read (`processAlert` will say why). The region is Evident's code spelt the
 * AWS way (`ap_northeast_1` → `ap-northeast-1`), so both spellings give one key.
 */
export function peekGroupKey(body: string): string | undefined {
  const value = readAlertDocument(body);
  const doc = value as { data?: { attributes?: { resource?: unknown } }; included?: unknown } | undefined;
  const groupId = doc?.data?.attributes?.resource;
  const included = Array.isArray(doc?.included) ? (doc.included as unknown[]) : [];
  const attributesOf = (type: string): Record<string, unknown> | undefined => {
    const entry = included.find(
      (e): e is { attributes: Record<string, unknown> } =>
        typeof e === 'object' &&
        e !== null &&
        (e as { type?: unknown }).type === type &&
        typeof (e as { attributes?: unknown }).attributes === 'object' &&
        (e as { attributes?: unknown }).attributes !== null,
    );
    return entry?.attributes;
  };
  const accountId = attributesOf('external_accounts')?.account;
  const regionCode = attributesOf('regions')?.code;
  if (typeof groupId !== 'string' || typeof accountId !== 'string' || typeof regionCode !== 'string') {
    return undefined;
  }
  const region = regionCode.toLowerCase().replaceAll('_', '-');
  if (![groupId, accountId, region].every((part) => SAFE.test(part))) return undefined;
  return `${accountId}:${region}:${groupId}`;
}
