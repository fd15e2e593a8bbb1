import type { BrokerName } from '../../protocol/openalgo/index.ts';

/**
 * Every Redis key and channel the cluster uses, in one place. User ids come from the users file and may
 * hold any character, so they are URI-encoded: a ':' in a user id cannot make two users share a key.
 */
export const CLUSTER_PREFIX = 'stormcheck' as const;

function scope(userId: string, broker: BrokerName): string {
  return `${encodeURIComponent(userId)}:${broker}`;
}

/** The keys and channels under one `--cluster-prefix`. */
export function clusterKeys(prefix: string) {
  return {
    /** End of the start-up quarantine after Redis lost its data (see ClaimKeys.epoch). */
    epoch: `${prefix}:epoch`,
    /** String `holderId:token` with a TTL; present while some gateway owns the upstream. */
    lease: (userId: string, broker: BrokerName) => `${prefix}:lease:${scope(userId, broker)}`,
    /** Counter INCRed on every successful claim: the fencing token. Never expires. */
    fence: (userId: string, broker: BrokerName) => `${prefix}:fence:${scope(userId, broker)}`,
    /** Set of upstream key ids one gateway's clients need, with a TTL its owner refreshes. */
    demand: (userId: string, broker: BrokerName, gatewayId: string) => `${prefix}:demand:${scope(userId, broker)}:${encodeURIComponent(gatewayId)}`,
    /** SCAN pattern over every gateway's demand set for one (user, broker). */
    demandPattern: (userId: string, broker: BrokerName) => `${prefix}:demand:${scope(userId, broker)}:*`,
    /** Pub/sub channel of the owner's decoded ticks. */
    ticks: (userId: string, broker: BrokerName) => `${prefix}:ticks:${scope(userId, broker)}`,
    /** Pub/sub channel of the owner's upstream state changes (`broker_status`), as JSON. */
    status: (userId: string, broker: BrokerName) => `${prefix}:status:${scope(userId, broker)}`,
    /** Pub/sub channel a gateway pokes when its demand changed, so the owner need not wait for its poll. */
    demandChanged: (userId: string, broker: BrokerName) => `${prefix}:demand-changed:${scope(userId, broker)}`,
  } as const;
}

export type ClusterKeys = ReturnType<typeof clusterKeys>;

/** The keys under the default prefix. */
export const ClusterKey: ClusterKeys = clusterKeys(CLUSTER_PREFIX);
