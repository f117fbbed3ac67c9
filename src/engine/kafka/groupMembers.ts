import type { Kafka } from 'kafkajs';

/** The parts of kafkajs's internal cluster object used here (kafkajs 2.x; its API is frozen). */
interface ClusterInternals {
  connect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  disconnect(): Promise<void>;
  findGroupCoordinator(request: { groupId: string }): Promise<{ leaveGroup(request: { groupId: string; memberId: string }): Promise<unknown> }>;
}

type CreateCluster = (options: Record<string, never>) => ClusterInternals;

function clusterFactory(kafka: Kafka): CreateCluster | undefined {
  const holder = kafka as unknown as Record<symbol, unknown>;
  const key = Object.getOwnPropertySymbols(kafka).find((symbol) => symbol.description === 'private:Kafka:createCluster');
  const factory = key === undefined ? undefined : holder[key];
  return typeof factory === 'function' ? (factory as CreateCluster) : undefined;
}

/**
 * Asks the group coordinator to remove `memberId` from `groupId` (a LeaveGroup sent on the member's behalf).
 *
 * Why: a consumer that crashed while the brokers were away (a restart, a network cut) could not leave its group, and
 * kafkajs restarts it as a new member. A restarted coordinator reloads the old member from its log, and the new
 * member's JoinGroup waits until the old one's session expires (10 s for sinks) — the sink resumed ~10 s after
 * the source. Removing the dead member lets the join complete at once. kafkajs has no public call for this, so it
 * uses the client's own cluster object; if that ever changes the answer is 'unsupported' and the group simply waits
 * for the session timeout as before.
 *
 * 'removed': the coordinator removed it. 'gone': it was no longer a member (UNKNOWN_MEMBER_ID). Any other failure
 * (coordinator unreachable or still loading) is thrown, for the caller to try again later.
 */
export async function removeGroupMember(kafka: Kafka, groupId: string, memberId: string): Promise<'removed' | 'gone' | 'unsupported'> {
  const createCluster = clusterFactory(kafka);
  if (!createCluster) return 'unsupported';
  const cluster = createCluster({});
  try {
    await cluster.connect();
    // The coordinator lookup goes through the brokers of the metadata, which connect() alone does not load.
    await cluster.refreshMetadata();
    const coordinator = await cluster.findGroupCoordinator({ groupId });
    await coordinator.leaveGroup({ groupId, memberId });
    return 'removed';
  } catch (error) {
    if ((error as { type?: unknown }).type === 'UNKNOWN_MEMBER_ID') return 'gone';
    throw error;
  } finally {
    await cluster.disconnect().catch(() => {});
  }
}
