import type { DemoAlertResult, DemoResult, DemoSubscriber } from '../operations/runDemoScenario.js';
import { type Column, renderTable } from './renderTable.js';

export interface DemoReport extends DemoResult {
  emulator: { endpoint: string; startedHere: boolean; ms: number };
  totalMs: number;
}

const ALERT_COLUMNS: Column<DemoAlertResult>[] = [
  { header: 'CASE', value: (a) => a.label },
  { header: 'SOURCE', value: (a) => a.source },
  { header: 'ALERT', value: (a) => shortId(a.alertId) },
  { header: 'ACCOUNT', value: (a) => a.accountId },
  { header: 'REGION', value: (a) => a.region },
  { header: 'GROUP', value: (a) => a.groupId },
  { header: 'CONTROL', value: (a) => shortId(a.signature) },
  { header: 'STATUS', value: (a) => a.status },
  { header: 'OUTCOME', value: (a) => a.actual },
  { header: 'EVENT', value: (a) => (a.event === 'none' ? '-' : a.event) },
  {
    header: 'CHECK',
    value: (a) =>
      a.ok
        ? 'ok'
        : a.actual !== a.expected
          ? `WRONG, expected ${a.expected}`
          : `WRONG event, expected ${a.actual}`,
  },
];

const SUBSCRIBER_COLUMNS: Column<DemoSubscriber>[] = [
  { header: '  QUEUE', value: (s) => `  ${s.name}` },
  {
    header: 'FILTER POLICY',
    value: (s) => (s.filterPolicy ? JSON.stringify(s.filterPolicy) : '(none: every event)'),
  },
  { header: 'EVENTS', value: (s) => `${s.received} of ${s.expected}${s.ok ? '' : '  WRONG'}` },
];

/** The demo's report for people: stages, the alerts table, each group before and after, AssumeRole count. */
export function renderDemo(report: DemoReport): string {
  const out: string[] = [];
  out.push(
    'remediation-hub demo: one hub account, three member accounts, two regions, three posture tools, on the AWS emulator',
  );
  out.push('');
  const stages = [
    {
      stage: 'emulator',
      detail: `moto on ${report.emulator.endpoint}${report.emulator.startedHere ? ', started for this run (stopped at exit)' : ' (AWS_ENDPOINT_URL, left running)'}`,
      ms: report.emulator.ms,
    },
    ...report.stages,
  ];
  out.push(
    renderTable(
      [
        { header: 'STAGE', value: (s: (typeof stages)[number]) => s.stage },
        { header: 'WHAT HAPPENED', value: (s) => s.detail },
        { header: 'TIME', value: (s) => seconds(s.ms), align: 'right' },
      ],
      stages,
    ),
  );
  out.push('');
  out.push(renderTable(ALERT_COLUMNS, report.alerts));
  out.push(
    '(EVENT: the outcome event the topic delivered for that notification; a duplicate delivery publishes none)',
  );
  out.push('');
  out.push('Outcome events received by the outcome topic subscribers (SQS, raw delivery)');
  out.push(renderTable(SUBSCRIBER_COLUMNS, report.subscribers));
  for (const subscriber of report.subscribers.filter((s) => s.filterPolicy !== undefined)) {
    out.push(`  ${subscriber.name} got: ${list(subscriber.events)}`);
  }
  out.push('');
  out.push('World-open ingress of each group, before and after the hub ran');
  for (const group of report.groups) {
    out.push(
      `  ${group.groupId}  ${group.groupName}  (${group.accountId} ${group.region})${group.ok ? '' : '  WRONG'}`,
    );
    out.push(`    before: ${list(group.worldOpenBefore)}`);
    out.push(`    closed: ${list(group.closed)}`);
    out.push(`    after:  ${list(group.worldOpenAfter)}`);
    if (group.otherAfter.length > 0)
      out.push(`    kept:   ${list(group.otherAfter)} (not world-open, never touched)`);
    if (group.note) out.push(`    note:   ${group.note}`);
    if (!group.ok) {
      out.push(
        `    expected after: ${list(group.expectedWorldOpenAfter)}; kept: ${list(group.expectedOtherAfter)}`,
      );
    }
  }
  out.push('');
  const { assumeRole } = report;
  const perAccount = Object.entries(assumeRole.byAccount)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([account, n]) => `${account} ×${n}`)
    .join(', ');
  out.push(
    `AssumeRole calls by the hub: ${assumeRole.actual}${perAccount ? ` (${perAccount})` : ''}, expected ${assumeRole.expected}: one per member account with an allowed, actionable alert${
      assumeRole.externalIdSent ? ', each with the external id' : ', NOT all with the external id'
    }`,
  );
  out.push('');
  if (!report.emulator.startedHere) {
    out.push('The hub is still up on your emulator; to look around:');
    out.push(
      `  export ${Object.entries(report.hubEnv)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
    out.push('  pnpm remediation-hub audit list');
    out.push('');
  }
  const alertsOk = report.alerts.filter((a) => a.ok).length;
  const groupsOk = report.groups.filter((g) => g.ok).length;
  const events = report.subscribers.reduce((sum, s) => sum + s.received, 0);
  const summary = `${alertsOk} of ${report.alerts.length} outcomes and ${groupsOk} of ${report.groups.length} groups as expected, ${events} outcome events received, ${assumeRole.actual} AssumeRole calls, ${seconds(report.totalMs)}`;
  if (report.ok) {
    out.push(`demo ok: ${summary}`);
  } else {
    out.push(`demo FAILED: ${summary}`);
    for (const problem of report.problems) out.push(`  - ${problem}`);
  }
  return out.join('\n');
}

/** A long id (a Security Hub finding ARN, a Prisma Cloud policy UUID) by its last characters; the JSON has it whole. */
function shortId(id: string): string {
  return id.length <= 24 ? id : `…${id.slice(-12)}`;
}

function list(rules: readonly string[]): string {
  return rules.length === 0 ? '(none)' : rules.join(', ');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
