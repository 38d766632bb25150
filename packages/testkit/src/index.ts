// The testkit is the local package (emulator, clients, proxy, sample alerts) plus what only tests need.
export * from '@remediation-hub/local';
export {
  createGroup,
  eventOf,
  flattenRules,
  hubEvents,
  hubSns,
  hubSqs,
  ingressRules,
  memberEc2,
  OFFICE_SSH,
  publish,
  queueDepth,
  receiveMessages,
  settle,
  sqsEvent,
  testClock,
  uniqueName,
  upTestHub,
  WORLD_ALL_TCP,
  WORLD_HTTPS,
  WORLD_SSH,
} from './fixtures.js';
