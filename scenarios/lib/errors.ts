/**
 * What kind of failure each failed request was. k6 counts failed requests (http_req_failed) but not why, and the
 * why is the finding: at 2,000 VUs a target that answers 503 at once, one whose clients time out after 10 s and
 * one whose listen queue overflows (connections refused, or SYNs retried until the dial times out) fail in
 * different ways and for different reasons. Each failed request adds 1 to `request_errors` tagged with its kind;
 * the thresholds keep one submetric per kind (profile.ts), so every summary carries the counts. Only failed
 * requests touch the counter: a successful one costs one comparison.
 */
import type { RefinedResponse, ResponseType } from 'k6/http';
import { Counter } from 'k6/metrics';

/** The kinds, from k6's error codes (https://grafana.com/docs/k6/latest/javascript-api/error-codes/). */
export const ERROR_KINDS = [
  /** 1050: no complete answer within the request timeout (profile.ts REQUEST_TIMEOUT). */
  'timeout',
  /** 1211: the TCP connect itself timed out (SYNs unanswered: a full listen queue, or no host). */
  'connect-timeout',
  /** 1212: connection refused (nothing listening, or the listen queue overflowed with tcp_abort_on_overflow). */
  'refused',
  /** 1220, 1201: the server reset or closed the connection under a request. */
  'reset',
  /** 1500–1599: the server answered 5xx (a gateway's 502/503/504 included). */
  'http-5xx',
  /** 1400–1499: the server answered 4xx where the scenario expected success. */
  'http-4xx',
  /** Anything else (1000 generic, e.g. EOF before a response; DNS; TLS). */
  'other',
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

export function errorKind(code: number): ErrorKind {
  if (code === 1050) return 'timeout';
  if (code === 1211) return 'connect-timeout';
  if (code === 1212) return 'refused';
  if (code === 1220 || code === 1201) return 'reset';
  if (code >= 1500 && code < 1600) return 'http-5xx';
  if (code >= 1400 && code < 1500) return 'http-4xx';
  return 'other';
}

const requestErrors = new Counter('request_errors');
const TAGS = Object.fromEntries(ERROR_KINDS.map((k) => [k, { kind: k }])) as Record<
  ErrorKind,
  { kind: string }
>;

/**
 * Counts a response that k6 counts as failed. `expected` lists statuses a route answers by design (checkout's
 * 409): k6 gives them an error code too, but they are not failures.
 */
export function countError(r: RefinedResponse<ResponseType | undefined>, expected?: readonly number[]): void {
  if (r.error_code === 0 || (expected !== undefined && expected.includes(r.status))) return;
  requestErrors.add(1, TAGS[errorKind(r.error_code)]);
}

/** The submetrics the thresholds keep so that the summary has one count per kind. */
export const ERROR_SUBMETRICS = ERROR_KINDS.map((k) => `request_errors{kind:${k}}`);
