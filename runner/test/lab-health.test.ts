/**
 * The launcher's health probes (checkHealth, waitForHealth) against node:http servers on free loopback ports and
 * small shell commands, and the MongoDB probe script (lab/health/mongo-ping.js, as the compose file runs it)
 * against a fake MongoDB wire-protocol server on a free loopback port: no database is started.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { BSON, type Document } from 'mongodb';
import { checkHealth, waitForHealth } from '../src/lab/health.js';

const dir = mkdtempSync(join(tmpdir(), 'lab-health-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const listen = (server: Server) =>
  new Promise<number>((r) => server.listen(0, '127.0.0.1', () => r((server.address() as AddressInfo).port)));
const close = (server: Server) => new Promise<void>((r) => server.close(() => r()));

/** A loopback port nothing listens on (a port-0 server's, closed again). */
async function closedPort(): Promise<number> {
  const s = createNetServer();
  const port = await listen(s);
  await close(s);
  return port;
}

describe('checkHealth: a URL is healthy when it answers 2xx', () => {
  const hanging: ServerResponse[] = [];
  const server = createHttpServer((req, res) => {
    const answers: Record<string, () => void> = {
      '/ok': () => res.end('{"status":"ok"}'),
      '/empty': () => res.writeHead(204).end(),
      '/down': () => res.writeHead(503).end('starting'),
      '/missing': () => res.writeHead(404).end(),
      '/moved': () => res.writeHead(302, { location: '/ok' }).end(),
      '/moved-down': () => res.writeHead(302, { location: '/down' }).end(),
      '/big': () => res.end(Buffer.alloc(2 * 1024 * 1024, 'x')),
      '/hang': () => hanging.push(res),
    };
    (answers[req.url ?? ''] ?? answers['/missing']!)();
  });
  let base = '';
  before(async () => {
    base = `http://127.0.0.1:${await listen(server)}`;
  });
  after(async () => {
    for (const res of hanging) res.destroy();
    server.closeAllConnections();
    await close(server);
  });

  test('200 and 204 are healthy; 503 and 404 are not', async () => {
    assert.equal(await checkHealth({ url: `${base}/ok` }), true);
    assert.equal(await checkHealth({ url: `${base}/empty` }), true);
    assert.equal(await checkHealth({ url: `${base}/down` }), false);
    assert.equal(await checkHealth({ url: `${base}/missing` }), false);
  });

  test('a redirect is followed: healthy when where it leads answers 2xx', async () => {
    assert.equal(await checkHealth({ url: `${base}/moved` }), true);
    assert.equal(await checkHealth({ url: `${base}/moved-down` }), false);
  });

  test('a large body is read to the end and still healthy', async () => {
    assert.equal(await checkHealth({ url: `${base}/big` }), true);
  });

  test('a refused connection and a server that does not answer within 3 s are not healthy', async () => {
    assert.equal(await checkHealth({ url: `http://127.0.0.1:${await closedPort()}/health` }), false);
    assert.equal(await checkHealth({ url: `${base}/hang` }), false);
    assert.equal(hanging.length, 1, 'the request did reach the server');
  });
});

describe('checkHealth: a command is healthy when it exits 0', () => {
  const sh = (script: string, more: { env?: NodeJS.ProcessEnv; cwd?: string } = {}) =>
    checkHealth({ command: ['/bin/sh', '-c', script], ...more });

  test('exit 0 is healthy, any other exit status is not', async () => {
    assert.equal(await sh('exit 0'), true);
    assert.equal(await sh('exit 1'), false);
    assert.equal(await sh('exit 3'), false);
  });

  test('a command that cannot be started is not healthy', async () => {
    assert.equal(await checkHealth({ command: [join(dir, 'no-such-probe')] }), false);
    assert.equal(
      await checkHealth({ command: [] }),
      false,
      'an empty command is not healthy (and does not throw)',
    );
  });

  test('runs with the environment and the working directory given', async () => {
    assert.equal(await sh('test "$LAB_PROBE" = yes', { env: { LAB_PROBE: 'yes' } }), true);
    assert.equal(await sh('test "$LAB_PROBE" = yes', { env: { LAB_PROBE: 'no' } }), false);
    process.env['LAB_HEALTH_TEST_MARK'] = '1';
    try {
      assert.equal(await sh('test "$LAB_HEALTH_TEST_MARK" = 1'), true, 'none given: the process environment');
      assert.equal(
        await sh('test -z "$LAB_HEALTH_TEST_MARK"', { env: { LAB_PROBE: 'yes' } }),
        true,
        'the environment given replaces the process environment',
      );
    } finally {
      delete process.env['LAB_HEALTH_TEST_MARK'];
    }
    const cwd = realpathSync(dir);
    assert.equal(await sh(`test "$(pwd -P)" = "${cwd}"`, { cwd }), true);
  });

  test('a command still running after 3 s is killed and not healthy', async () => {
    const pidFile = join(dir, 'probe.pid');
    assert.equal(await sh(`echo $$ > "${pidFile}"; exec sleep 60`), false);
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    assert.ok(pid > 0);
    assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, 'the probe process is gone');
  });

  test("a timed-out command's children are killed with it (its whole process group)", async () => {
    const pidFile = join(dir, 'child.pid');
    assert.equal(await sh(`sleep 60 & echo $! > "${pidFile}"; wait`), false);
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    assert.ok(pid > 0);
    // SIGKILL is delivered at once, but the orphan is reaped by init: give it a moment.
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(alive(pid), false, "the shell's child is gone too");
  });
});

/** Running, not gone and not a zombie (an orphan's zombie stays until init reaps it, which a container's may not). */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('waitForHealth', () => {
  /** A probe that answers the given results in turn (then the last one), counting its calls. */
  const probes = (...results: boolean[]) => {
    const p = async () => results[Math.min(p.calls++, results.length - 1)]!;
    p.calls = 0;
    return p;
  };

  test('polls until the probe says healthy', async () => {
    const probe = probes(false, false, true);
    let aliveCalls = 0;
    const alive = () => {
      aliveCalls++;
      return true;
    };
    assert.equal(await waitForHealth(probe, alive, 600_000), 'healthy');
    assert.equal(probe.calls, 3);
    assert.equal(aliveCalls, 2, 'the process was checked after each unhealthy answer');
  });

  test('a process that died while unhealthy: died, without waiting for the timeout', async () => {
    const probe = probes(false, false);
    let checks = 0;
    assert.equal(await waitForHealth(probe, () => ++checks < 2, 600_000), 'died');
    assert.equal(probe.calls, 2);
  });

  test('a healthy answer counts even if the process is gone (the probe is asked first)', async () => {
    assert.equal(await waitForHealth(probes(true), () => false, 600_000), 'healthy');
  });

  test('never healthy and still alive: timeout', async () => {
    const probe = probes(false);
    assert.equal(await waitForHealth(probe, () => true, 0), 'timeout');
    assert.ok(probe.calls >= 1);
  });

  test("a probe's error is the caller's", async () => {
    await assert.rejects(
      waitForHealth(
        () => Promise.reject(new Error('probe broke')),
        () => true,
        600_000,
      ),
      /probe broke/,
    );
  });
});

const MONGO_PING = fileURLToPath(new URL('../src/lab/health/mongo-ping.js', import.meta.url));

/** Runs the probe script as the compose file does (node mongo-ping.js <url>); resolves its exit code. */
function mongoPing(url: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MONGO_PING, url], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => resolve(code));
  });
}

const OP_REPLY = 1;
const OP_QUERY = 2004;
const OP_MSG = 2013;

/**
 * Just enough of MongoDB's wire protocol for a driver to connect and run one command: the legacy OP_QUERY
 * handshake and OP_MSG commands. Answers hello as a standalone primary, `ping` with `pingReply`, anything else
 * with { ok: 1 }; records each command's name.
 */
async function fakeMongo(pingReply: Document): Promise<{ url: string; commands: string[]; server: Server }> {
  const commands: string[] = [];
  const hello = () => ({
    ismaster: true,
    isWritablePrimary: true,
    helloOk: true,
    maxBsonObjectSize: 16 * 1024 * 1024,
    maxMessageSizeBytes: 48_000_000,
    maxWriteBatchSize: 100_000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: 1,
    minWireVersion: 0,
    maxWireVersion: 21,
    readOnly: false,
    ok: 1,
  });
  const answer = (cmd: Document): Document => {
    const name = Object.keys(cmd)[0] ?? '';
    commands.push(name);
    if (['hello', 'ismaster', 'isMaster'].includes(name)) return hello();
    if (name === 'ping') return pingReply;
    return { ok: 1 };
  };
  const header = (length: number, responseTo: number, opCode: number) => {
    const h = Buffer.alloc(16);
    h.writeInt32LE(length, 0);
    h.writeInt32LE(1, 4);
    h.writeInt32LE(responseTo, 8);
    h.writeInt32LE(opCode, 12);
    return h;
  };
  const onMessage = (socket: Socket, msg: Buffer) => {
    const requestId = msg.readInt32LE(4);
    const opCode = msg.readInt32LE(12);
    if (opCode === OP_QUERY) {
      let off = 20;
      while (msg[off] !== 0) off++; // the collection name, a C string
      off += 1 + 8; // its NUL, numberToSkip, numberToReturn
      const doc = BSON.serialize(answer(BSON.deserialize(msg.subarray(off, off + msg.readInt32LE(off)))));
      const body = Buffer.alloc(20);
      body.writeInt32LE(1, 16); // responseFlags 0, cursorID 0, startingFrom 0, numberReturned 1
      socket.write(Buffer.concat([header(16 + 20 + doc.length, requestId, OP_REPLY), body, doc]));
    } else if (opCode === OP_MSG) {
      let off = 20; // after the flag bits: sections; the command is the kind-0 one
      let cmd: Document = {};
      while (off < msg.length) {
        const kind = msg[off]!;
        const size = msg.readInt32LE(off + 1);
        if (kind === 0) cmd = BSON.deserialize(msg.subarray(off + 1, off + 1 + size));
        off += 1 + size;
      }
      const doc = BSON.serialize(answer(cmd));
      const flags = Buffer.from([0, 0, 0, 0, 0]); // flag bits, then a kind-0 section
      socket.write(Buffer.concat([header(16 + flags.length + doc.length, requestId, OP_MSG), flags, doc]));
    } else {
      socket.destroy();
    }
  };
  const server = createNetServer((socket) => {
    let buf = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= buf.readInt32LE(0)) {
        const len = buf.readInt32LE(0);
        onMessage(socket, buf.subarray(0, len));
        buf = buf.subarray(len);
      }
    });
  });
  const port = await listen(server);
  return { url: `mongodb://127.0.0.1:${port}`, commands, server };
}

describe('lab/health/mongo-ping.js', () => {
  const servers: Server[] = [];
  after(async () => {
    for (const s of servers) await close(s);
  });

  test('exit 0 when the server answers ping with ok: 1', async () => {
    const m = await fakeMongo({ ok: 1 });
    servers.push(m.server);
    assert.equal(await mongoPing(m.url), 0);
    assert.ok(m.commands.includes('ping'), `commands: ${m.commands.join(', ')}`);
  });

  test('exit 1 when ping answers ok: 0', async () => {
    const m = await fakeMongo({ ok: 0, errmsg: 'not yet', code: 91 });
    servers.push(m.server);
    assert.equal(await mongoPing(m.url), 1);
    assert.ok(m.commands.includes('ping'), 'it did connect and ask');
  });

  test('exit 1 when nothing listens, and when the server is not MongoDB', async () => {
    assert.equal(await mongoPing(`mongodb://127.0.0.1:${await closedPort()}`), 1);
    const hangUp = createNetServer((socket) => socket.destroy());
    servers.push(hangUp);
    assert.equal(await mongoPing(`mongodb://127.0.0.1:${await listen(hangUp)}`), 1);
  });
});
