import { afterEach, describe, expect, it } from 'vitest';
import { awsClientConfig, emulatorEndpoint } from '../../src/index.js';

describe('emulatorEndpoint', () => {
  const saved = process.env.AWS_ENDPOINT_URL;
  afterEach(() => {
    process.env.AWS_ENDPOINT_URL = saved;
  });

  it('fails loudly when no emulator is running, so no test silently talks to nothing', () => {
    delete process.env.AWS_ENDPOINT_URL;
    expect(() => emulatorEndpoint()).toThrow(/AWS_ENDPOINT_URL is not set/);
    expect(() => awsClientConfig()).toThrow(/AWS_ENDPOINT_URL is not set/);
  });

  it('uses the endpoint the environment names', () => {
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:4566';
    expect(awsClientConfig({ region: 'eu-west-1' })).toMatchObject({
      endpoint: 'http://127.0.0.1:4566',
      region: 'eu-west-1',
    });
  });
});
