import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/createLogger.js';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'info',
    destination: { write: (line: string) => void lines.push(line) },
  });
  return { logger, lines };
}

describe('createLogger', () => {
  it('never writes credentials, however they are nested', () => {
    const { logger, lines } = capture();
    const credentials = { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'SECRET-1', sessionToken: 'TOKEN-1' };
    logger.info({ credentials }, 'top level');
    logger.info({ account: { credentials } }, 'nested');
    logger.info({ assumed: { secretAccessKey: 'SECRET-2', sessionToken: 'TOKEN-2' } }, 'one level');
    logger.info({ a: { b: { secretAccessKey: 'SECRET-3', sessionToken: 'TOKEN-3' } } }, 'two levels');
    const text = lines.join('');
    for (const secret of ['SECRET-1', 'TOKEN-1', 'SECRET-2', 'TOKEN-2', 'SECRET-3', 'TOKEN-3']) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
  });

  it('puts the bound fields of a child on every line, with the level as a word', () => {
    const { logger, lines } = capture();
    logger.child({ alertId: '1', accountId: '111111111111' }).warn({ outcome: 'rejected' }, 'alert rejected');
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({
      level: 'warn',
      alertId: '1',
      accountId: '111111111111',
      outcome: 'rejected',
      msg: 'alert rejected',
    });
  });
});
