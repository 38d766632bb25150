import { describe, expect, it } from 'vitest';
import { MalformedAlertError, parseFindings } from '../../src/index.js';
import { loadSampleAlert, loadSampleEnvelope } from '../support/evidentEvents.js';

const unreadableOf = (input: unknown) => {
  const read = parseFindings(input);
  expect(read).toHaveLength(1);
  const [first] = read;
  expect(first?.finding).toBeUndefined();
  expect(first?.unreadable?.error).toBeInstanceOf(MalformedAlertError);
  return first?.unreadable;
};

describe('parseFindings', () => {
  it('never throws for bad input: a message it cannot read is one unreadable finding, with no key', () => {
    expect(unreadableOf('not json')).toMatchObject({
      source: undefined,
      key: undefined,
      error: { field: 'message' },
    });
    expect(unreadableOf({ Type: 'Notification', Message: 7 })).toMatchObject({ key: undefined });
  });

  it('keys a refused Evident document by its id and status when they can be read', () => {
    const doc = { data: { id: '1306879672', attributes: { status: 'fail' } }, included: 'not a list' };
    expect(unreadableOf(JSON.stringify(doc))).toMatchObject({
      source: 'evident',
      key: { id: '1306879672', eventKey: 'fail', status: 'fail' },
      error: { field: 'data.attributes.resource' },
    });
  });

  it('reads the key through an SNS envelope', () => {
    const envelope = loadSampleEnvelope();
    const doc = { data: { id: '42', attributes: { status: 'warn' } } };
    envelope.Message = JSON.stringify(doc);
    expect(unreadableOf(envelope)?.key).toEqual({ id: '42', eventKey: 'warn', status: 'warn' });
  });

  it('keys a readable id with an unreadable status as unknown', () => {
    expect(unreadableOf({ data: { id: '42', attributes: { status: 7 } } })?.key).toEqual({
      id: '42',
      eventKey: 'unknown',
      status: 'unknown',
    });
  });

  it('gives no key for missing ids and ids of an unsafe shape', () => {
    expect(unreadableOf({ data: {} })?.key).toBeUndefined();
    expect(unreadableOf({ data: { id: 'a b\n{"x":1}' } })?.key).toBeUndefined();
    expect(unreadableOf({ data: { id: 'x'.repeat(300) } })?.key).toBeUndefined();
  });

  it('reads a good alert as one finding', () => {
    const [read] = parseFindings(loadSampleAlert());
    expect(read?.finding).toMatchObject({ source: 'evident', id: '1306879672', eventKey: 'fail' });
  });

  it.each([5_000, 100_000])(
    'refuses a value nested %i levels deep in a checked field with a one-line reason, never a crash',
    (depth) => {
      const text = JSON.stringify(loadSampleAlert()).replace(
        '"resource":"sg-xxxxxxxxxxxxxxxxx"',
        `"resource":${'['.repeat(depth)}${']'.repeat(depth)}`,
      );
      const unreadable = unreadableOf(text);
      expect(unreadable).toMatchObject({ source: 'evident', key: { id: '1306879672', eventKey: 'fail' } });
      expect(unreadable?.error.message).toBe(
        'data.attributes.resource: expected a string, got an array too deeply nested to show',
      );
      expect(unreadable?.error.message).not.toContain('\n');
    },
  );
});
