/**
 * mysql2's prepared-statement cache size for the source's connections. The driver's default (16,000) preallocates its
 * LRU's four arrays at that length: ~0.5 MB of old-generation heap per connection, four or five connections in a
 * binlog source's thread (issue 13: 2.1 MB of the source thread's 22 MB live heap during a snapshot). V8 lets the old
 * generation grow to a few times what survives a full collection, so that live memory weighed several times over on
 * the thread's peak. The sources only send text queries (`query`, never `execute`), so no statement is ever cached.
 */
export const SOURCE_PREPARED_STATEMENTS = 1;
