// The Redlock pattern with npm `redlock` (v5: EVALSHA of its acquire/extend/release scripts,
// EVAL when the server answers NOSCRIPT) on a Sentinel-backed ioredis client, until the file
// named by --stop-file appears. Two loops run at once on one resource each:
//   cycle: acquire, check the value is ours, extend, check the new TTL, release, check it is gone;
//   using: redlock.using() holding the lock past its duration, so the automatic extension runs.
// Every completed cycle is logged as "<unix_ms> <loop>" to --ack-log; failed cycles are
// retried as an application would. The last stdout line is a JSON summary.
//   node redlock_cycles.mjs --sentinels host:port,... --master name --prefix p:
//        --ack-log path --stop-file path
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Redis = require('ioredis');
const Redlock = require('redlock').default;
const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].slice(2)] = process.argv[i + 1];
const sentinels = args.sentinels.split(',').map((s) => {
  const [host, port] = s.split(':');
  return { host, port: Number(port) };
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const client = new Redis({
  sentinels, name: args.master, enableOfflineQueue: true, maxRetriesPerRequest: 1,
  connectTimeout: 500, commandTimeout: 1000, sentinelRetryStrategy: () => 50,
  retryStrategy: () => 50,
  reconnectOnError: (err) => (String(err.message).startsWith('READONLY') ? 2 : false),
});
client.on('error', () => {});
const redlock = new Redlock([client], { retryCount: 5, retryDelay: 100, retryJitter: 50,
                                        automaticExtensionThreshold: 200 });
redlock.on('error', () => {});

const summary = { cycles: 0, using_cycles: 0, errors: 0, first_error: '', wrong_value: 0,
                  wrong_ttl: 0, not_released: 0, using_aborted: 0, longest_gap_ms: 0,
                  anomalies_ms: [] };
const log = fs.openSync(args['ack-log'], 'w');
const stopped = () => fs.existsSync(args['stop-file']);
// A check that fails is timed: the driver tells the failover window (where an ioredis resend of
// a command the caller already gave up on may land late) from steady state.
function anomaly(kind) {
  summary[kind]++;
  summary.anomalies_ms.push(Date.now());
}
function failed(e) {
  summary.errors++;
  if (!summary.first_error) summary.first_error = String(e && e.message).slice(0, 200);
}

async function cycleLoop() {
  const key = `${args.prefix}cycle`;
  let last = Date.now();
  while (!stopped()) {
    try {
      let lock = await redlock.acquire([key], 2000);
      if ((await client.get(key)) !== lock.value) anomaly('wrong_value');
      lock = await lock.extend(3000);
      const ttl = await client.pttl(key);
      if (!(ttl > 2000 && ttl <= 3000)) anomaly('wrong_ttl');
      await lock.release();
      if ((await client.exists(key)) !== 0) anomaly('not_released');
      const now = Date.now();
      summary.longest_gap_ms = Math.max(summary.longest_gap_ms, now - last);
      last = now;
      summary.cycles++;
      fs.writeSync(log, `${now} cycle\n`);
    } catch (e) {
      failed(e);
      await sleep(50);
    }
    await sleep(5);
  }
}

async function usingLoop() {
  const key = `${args.prefix}using`;
  while (!stopped()) {
    try {
      await redlock.using([key], 400, async (signal) => {
        await sleep(700);  // past the 400 ms duration: only the automatic extension keeps it
        if (signal.aborted) throw signal.error;
      });
      summary.using_cycles++;
      fs.writeSync(log, `${Date.now()} using\n`);
    } catch (e) {
      summary.using_aborted++;
      await sleep(50);
    }
  }
}

await Promise.all([cycleLoop(), usingLoop()]);
fs.closeSync(log);
console.log(JSON.stringify(summary));
await Promise.race([client.quit().catch(() => {}), sleep(1000)]);
process.exit(0);
