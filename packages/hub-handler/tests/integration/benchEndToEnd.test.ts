/**
 * `pnpm bench` asserts nothing, so nothing else would notice if its end-to-end part stopped working: this runs it at
 * a tiny size on the test emulator and checks that it produces a whole, well-formed result, with calls counted from
 * the proxy and replayed one for one. It checks the runner, not the hub's figures.
 */
import { describe, expect, it } from 'vitest';
import { runEndToEnd } from '../../bench/endToEnd.js';

describe('the end-to-end benchmark at a tiny size', () => {
  it('remediates every alert and reports calls, CPU, latency and the bound', async () => {
    const result = await runEndToEnd({ alerts: 6, accounts: 2, concurrency: 3, rounds: 2, warmup: 2 });

    expect(result).toMatchObject({ alerts: 6, accounts: 2, concurrency: 3, rounds: 2, remediated: 6 });
    expect(result.unattributedCalls).toBe(0);
    // Counted, not assumed: every remediated alert made at least its describe and its revoke.
    const byAction = result.callsPerAlert.byAction;
    expect(byAction['ec2:RevokeSecurityGroupIngress']).toBe(1);
    expect(byAction['ec2:DescribeSecurityGroups']).toBeGreaterThanOrEqual(1);
    const sum = Object.values(byAction).reduce((a, b) => a + b, 0);
    expect(result.callsPerAlert.total).toBeCloseTo(sum, 9);
    expect(Object.keys(byAction).some((k) => k.startsWith('sqs:'))).toBe(false);
    // The replay sent exactly the hub's calls, and they succeeded as the hub's did.
    expect(result.sdkOnly.calls).toBe(Math.round(result.callsPerAlert.total * result.remediated));
    expect(result.sdkOnly.failedCalls).toBe(0);
    expect(result.assumeRole.distinctAccounts).toBe(2);
    expect(result.assumeRole.calls).toBeGreaterThanOrEqual(2);
    for (const figure of [
      result.hub.alertsPerSecond,
      result.hub.latencyMs.p50,
      result.hub.latencyMs.p95,
      result.hub.cpuMsPerAlert,
      result.sdkOnly.cpuMsPerAlert,
      result.sdkOnly.alertsPerSecond,
      result.hubCpuShare,
      result.throughputRatio,
    ]) {
      expect(Number.isFinite(figure)).toBe(true);
    }
    expect(result.hub.latencyMs.p95).toBeGreaterThanOrEqual(result.hub.latencyMs.p50);
  });
});
