/**
 * Micro-benchmark of the Kafka produce path's CPU costs (issue 13), in one process, no services:
 * - grouping: kafkajs's groupMessagesPerPartition (`[...current, message]` per message: quadratic per partition)
 *   against the linear grouping the Kafka port installs (kafka/producePath.ts), for requests of 2,500 to 40,000
 *   messages over 6 partitions;
 * - crc: kafkajs's JavaScript CRC-32C against @node-rs/crc32's native one, per 1 KiB record and per 1 MiB batch;
 * - record batch: kafkajs's RecordBatch encoder for 1,000 × 1 KiB records with each CRC.
 * Prints one JSON object.  npx tsx bench/kafkaProducePath.ts
 */
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { crc32c } from '@node-rs/crc32';
import { groupMessagesPerPartition as linearGrouping } from '../src/engine/kafka/producePath';

const require = createRequire(import.meta.url);
type Grouping = (options: { topic: string; partitionMetadata: unknown[]; messages: { partition?: number }[]; partitioner: (options: { message: { partition?: number } }) => number }) => Record<string, unknown[]>;
const kafkajsGrouping = require('kafkajs/src/producer/groupMessagesPerPartition.js') as Grouping;
const jsCrc32C = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (buffer: Buffer) => number;

function timeUs(iterations: number, work: (index: number) => void): number {
  for (let index = 0; index < Math.min(iterations, 20); index++) work(index);
  const started = process.hrtime.bigint();
  for (let index = 0; index < iterations; index++) work(index);
  return Number(process.hrtime.bigint() - started) / 1000 / iterations;
}

const PARTITIONS = 6;
const partitionMetadata = Array.from({ length: PARTITIONS }, (_, partitionId) => ({ partitionId, leader: 1 }));
const partitioner = ({ message }: { message: { partition?: number } }): number => message.partition ?? 0;

const grouping: Record<string, { kafkajs_us_per_message: number; linear_us_per_message: number }> = {};
for (const count of [2_500, 10_000, 40_000]) {
  const messages = Array.from({ length: count }, (_, index) => ({ partition: index % PARTITIONS, value: null }));
  const rounds = Math.max(2, Math.floor(200_000 / count));
  const quadratic = timeUs(rounds, () => kafkajsGrouping({ topic: 't', partitionMetadata, messages, partitioner }));
  const linear = timeUs(rounds, () => linearGrouping({ topic: 't', partitionMetadata, messages, partitioner }));
  grouping[String(count)] = { kafkajs_us_per_message: round(quadratic / count), linear_us_per_message: round(linear / count) };
}

const kib = Buffer.alloc(1024, 7);
const mib = Buffer.alloc(1024 * 1024, 7);
const crc = {
  js_us_per_kib: round(timeUs(20_000, () => jsCrc32C(kib))),
  native_us_per_kib: round(timeUs(200_000, () => crc32c(kib))),
  js_us_per_mib: round(timeUs(20, () => jsCrc32C(mib))),
  native_us_per_mib: round(timeUs(500, () => crc32c(mib))),
};
if ((jsCrc32C(mib) >>> 0) !== crc32c(mib)) throw new Error('native CRC-32C differs from kafkajs\'s');

console.log(JSON.stringify({ bench: 'kafka-produce-path', load: loadavg().map(round), grouping, crc }));

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
