// Loaded with NODE_OPTIONS=--require into Harper's process and every worker thread (see
// docs/implementations/harper.md, "Listeners"). Harper 4.7.29 has no bind-address setting: its configured ports
// take "host:port" values, but it also opens an internal HTTP listener on a random port with no host (so on
// "::", every interface), and node-unix-socket's createReuseportFd defaults to 0.0.0.0. This preload rewrites a
// missing or wildcard host to LAB_HARPER_BIND_HOST (default 127.0.0.1). When LAB_HARPER_BIND_HOST is itself a
// wildcard (inside a container, where the published port is what matters) it changes nothing.
'use strict';
const net = require('node:net');

const bindHost = process.env.LAB_HARPER_BIND_HOST || '127.0.0.1';
const WILDCARDS = new Set(['', '::', '0.0.0.0', '::0', '0:0:0:0:0:0:0:0']);

if (!WILDCARDS.has(bindHost)) {
  const isWildcard = (host) => host === undefined || host === null || WILDCARDS.has(host);
  const isPort = (v) => typeof v === 'number' || (typeof v === 'string' && /^[0-9]+$/.test(v));

  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function patchedListen(...args) {
    const first = args[0];
    if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
      // listen({port, host}) binds a TCP port; listen({fd}), listen({path}) and listen(handle) are left alone.
      if (
        first.port !== undefined &&
        first.path === undefined &&
        first.fd === undefined &&
        isWildcard(first.host)
      ) {
        args[0] = { ...first, host: bindHost };
      }
    } else if (isPort(first)) {
      // listen(port[, host][, backlog][, callback])
      if (typeof args[1] === 'string' || args[1] === undefined || args[1] === null) {
        if (isWildcard(args[1])) args[1] = bindHost;
      } else {
        args.splice(1, 0, bindHost);
      }
    } else if (first === undefined || typeof first === 'function') {
      // listen() or listen(callback): a random port on every interface.
      args.unshift(0, bindHost);
    }
    return listen.apply(this, args);
  };

  try {
    const socketPath = require.resolve('node-unix-socket/js/socket.js', {
      paths: [process.cwd(), __dirname],
    });
    const socket = require(socketPath);
    const create = socket.createReuseportFd;
    socket.createReuseportFd = function patchedCreateReuseportFd(port, host) {
      return create.call(this, port, isWildcard(host) ? bindHost : host);
    };
  } catch {
    // node-unix-socket not installed: Harper falls back to plain listen(), patched above.
  }
}

// Malformed HTTP gets the contract's JSON 400 (answerClientError in @lab/contract) instead of Node's bare
// 400/431: every node:http server in the process gets it as its 'clientError' listener when it starts listening
// (a server with a 'clientError' listener no longer sends Node's default answer). The contract is ESM, so it is
// imported once, asynchronously, at start-up.
{
  const http = require('node:http');
  const { pathToFileURL } = require('node:url');
  let answer = (_err, socket) => socket.destroy();
  try {
    const entry = require.resolve('@lab/contract', { paths: [process.cwd(), __dirname] });
    import(pathToFileURL(entry).href).then(
      (contract) => (answer = contract.answerClientError),
      (e) => process.stderr.write(`loopback-preload: @lab/contract: ${e.message}\n`),
    );
  } catch (e) {
    process.stderr.write(`loopback-preload: @lab/contract: ${e.message}\n`);
  }
  const withClientError = new WeakSet();
  const listen = net.Server.prototype.listen;
  net.Server.prototype.listen = function listenWithClientError(...args) {
    if (this instanceof http.Server && !withClientError.has(this)) {
      withClientError.add(this);
      this.on('clientError', (err, socket) => answer(err, socket));
    }
    return listen.apply(this, args);
  };
}
