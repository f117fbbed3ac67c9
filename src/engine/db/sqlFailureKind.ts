/**
 * What a failed write says about the records, which decides what the sink does next:
 * - `connection`: the target could not be reached or dropped the session. No record is at fault: retry with backoff,
 *   never dead-letter.
 * - `transient`: the target refused for a moment (deadlock, serialization failure, lock or statement timeout, out of
 *   connections or resources): the same statement can succeed later, so retry with backoff.
 * - `record`: the target refused a value (a constraint, a value out of range, text that is not a number). Retrying
 *   the same rows cannot help; the failing records are isolated and the others applied.
 * - `configuration`: the statement itself is wrong for this target (a table or column that does not exist, a type
 *   the column can never take, no privilege, a table that cannot be created): every record would fail alike, so the
 *   connector fails with the cause instead of dead-lettering the whole stream.
 * - `unknown`: none of the above could be told; treated like `record` (isolated), as Connect unrolls a batch.
 */
export type SqlFailureKind = 'connection' | 'transient' | 'record' | 'configuration' | 'unknown';
