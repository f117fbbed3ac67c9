export { parseDatabaseUrl, type VerifyConnection } from './connectionUrl';
export { verifyDialect, type VerifyDialect } from './dialects';
export { verifyError, type VerifyErrorCode } from './errors';
export { classifyMismatch, explainMismatches, type RowTrace, type TraceRow } from './explain';
export { formatReport } from './textReport';
export { runVerify, VERIFY_DEFAULTS, type VerifyRunOptions } from './verifier';
export { VerifyService, type VerifyServiceOptions } from './verifyService';
