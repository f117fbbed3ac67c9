import { kafkajs } from './kafkajsRuntime';

/**
 * The partitions a group member was assigned, from the `memberAssignment` bytes DescribeGroups returns for consumer
 * groups (ConsumerProtocol). Other protocol types (Connect workers) use their own encoding: an empty map then.
 */
export function decodeMemberAssignment(assignment: Buffer | null | undefined): Map<string, number[]> {
  const topics = new Map<string, number[]>();
  if (!assignment || assignment.length === 0) return topics;
  try {
    const decoded = kafkajs.AssignerProtocol.MemberAssignment.decode(assignment);
    for (const [topic, partitions] of Object.entries(decoded?.assignment ?? {})) topics.set(topic, [...partitions]);
  } catch {
    // Not ConsumerProtocol bytes: the member's partitions are simply not shown.
  }
  return topics;
}
