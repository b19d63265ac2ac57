// The component's entry module (config.yaml jsResource). Harper loads it once in every HTTP worker thread.
// It registers the contract's routes as a server.http() middleware and, in worker 0 only, loads the dataset on
// first start (every thread answers 503 on /health and on the API until the load has finished).
import { readLabEnv } from '@lab/contract';
import { createListener } from './app.js';
import { ThreadedMetrics } from './metrics.js';
import { isSeeded, seedIfNeeded } from './seed.js';
import { labIndexes, labTables } from './tables.js';

const env = readLabEnv();
const threads = Number(process.env['THREADS_COUNT'] ?? '1') || 1;
const workerIndex = server.workerIndex ?? 0;
const lab = labTables();
const metrics = new ThreadedMetrics('harper', threads);

let ready = false;
let checking: Promise<boolean> | undefined;

/** Ready once the dataset is complete; looked up in the database until then, never again afterwards. */
function isReady(): boolean | Promise<boolean> {
  if (ready) return true;
  checking ??= isSeeded(lab, env.seed, env.scale).then(
    (ok) => {
      ready = ok;
      checking = undefined;
      return ok;
    },
    () => {
      checking = undefined;
      return false;
    },
  );
  return checking;
}

server.http(createListener({ tables: lab, indexes: labIndexes(lab), env, metrics, ready: isReady }), {
  runFirst: true,
});

if (workerIndex === 0) {
  // A cross-thread lock as well, in case Harper ever restarts worker 0 while a load is running.
  const seedLock = 'lab:seed';
  const store = lab.Meta.primaryStore;
  if (store.attemptLock(seedLock, 0)) {
    seedIfNeeded(lab, env.seed, env.scale)
      .then((report) => {
        ready = true;
        logger.notify(
          `lab harper: threads ${threads}, seed ${env.seed}, scale ${env.scale}, ` +
            (report.seeded
              ? `dataset loaded in ${report.ms.toFixed(0)} ms ${JSON.stringify(report.rows)}`
              : 'dataset already loaded'),
        );
      })
      .catch((e: unknown) => {
        logger.error('lab harper: loading the dataset failed', e);
      })
      .finally(() => store.unlock(seedLock, 0));
  }
}
