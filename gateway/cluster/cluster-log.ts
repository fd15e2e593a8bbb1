/** `event` fields of the cluster's log lines, next to the gateway's own in `../logger.ts`. */
export const ClusterLogEvent = {
  connected: 'cluster.connected',
  leaseAcquired: 'cluster.lease.acquired',
  leaseLost: 'cluster.lease.lost',
  redisDown: 'cluster.redis.down',
  redisUp: 'cluster.redis.up',
  badRelayFrame: 'cluster.relay.bad_frame',
  upstreamFailed: 'cluster.upstream.failed',
  unionOverCap: 'cluster.union.over_cap',
  unionUnderCap: 'cluster.union.under_cap',
  noSecret: 'cluster.no_secret',
  forged: 'cluster.forged',
  demandRefused: 'cluster.demand.refused',
} as const;
