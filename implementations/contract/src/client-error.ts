// Malformed HTTP (a request line or header Node's parser rejects, headers over the size limit, a request that
// never completes) never reaches a route: Node answers it from the server's 'clientError' event, by default with a
// bare 400/431/408 and no body. Every target answers it with the contract's JSON error instead, from here.
import type { Duplex } from 'node:stream';
import { errors, MESSAGES } from './errors.js';
import { JSON_CONTENT_TYPE } from './validation.js';

const BODY = JSON.stringify(errors.badRequest(MESSAGES.malformedRequest).body);

/** The complete HTTP/1.1 response written to the socket; the connection is closed after it. */
export const MALFORMED_REQUEST_RESPONSE = [
  'HTTP/1.1 400 Bad Request',
  `content-type: ${JSON_CONTENT_TYPE}`,
  `content-length: ${Buffer.byteLength(BODY)}`,
  'server-timing: app;dur=0',
  'connection: close',
  '',
  BODY,
].join('\r\n');

/** A `clientError` listener for node:http servers (Fastify: the `clientErrorHandler` option). */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // A reset connection has nobody left to answer.
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(MALFORMED_REQUEST_RESPONSE);
}
