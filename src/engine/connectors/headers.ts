/**
 * Headers the runner puts on one sampled record per produced batch (not on every record: encoding them cost about
 * three times the record itself, bench/runnerCosts.ts), read by sinks, Trace and anything behind a replicator.
 */

/** When the sampled change happened at the source (epoch ms), for the sink's end-to-end latency and Trace. */
export const SOURCE_TIME_HEADER = 'ferry.source.ts';

/**
 * How the record was captured (`polling`, `log`): a sink with delete.enabled reading a polling source's records, even
 * through a replicator or from another pipeline file, can say that deletes will never arrive.
 */
export const SOURCE_CAPTURE_HEADER = 'ferry.source.capture';
