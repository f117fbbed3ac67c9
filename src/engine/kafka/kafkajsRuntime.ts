/**
 * kafkajs, loaded once for the adapter. It is required (not imported) so that this module decides what kafkajs
 * loads with it before its first use.
 */
import { createRequire } from 'node:module';
import type * as KafkaJs from 'kafkajs';

const require = createRequire(import.meta.url);

export const kafkajs = require('kafkajs') as typeof KafkaJs;
