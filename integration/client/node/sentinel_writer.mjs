// Writes through the sentinels with one Node.js client library, the way an application does,
// until the file named by --stop-file appears. Every acknowledged write is logged as
// "<unix_ms> <key>" to --ack-log; the last stdout line is a JSON summary.
//   node sentinel_writer.mjs --client ioredis|node-redis --sentinels host:port,... --master name
//        --prefix p: --ack-log path --stop-file path [--resp 2|3]
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].slice(2)] = process.argv[i + 1];
const sentinels = args.sentinels.split(',').map((s) => {
  const [host, port] = s.split(':');
  return { host, port: Number(port) };
});
const resp = Number(args.resp || 2);

async function connect() {
  if (args.client === 'ioredis') {
    const Redis = require('ioredis');
    const c = new Redis({ sentinels, name: args.master, enableOfflineQueue: true,
                          maxRetriesPerRequest: 1, connectTimeout: 500, commandTimeout: 500,
                          sentinelRetryStrategy: () => 50, retryStrategy: () => 50 });
    c.on('error', () => {});
    return { set: (k, v) => c.set(k, v), close: () => c.disconnect() };
  }
  const { createSentinel } = require('redis');
  const c = createSentinel({
    name: args.master,
    sentinelRootNodes: sentinels,
    nodeClientOptions: { RESP: resp, socket: { connectTimeout: 500 } },
    sentinelClientOptions: { RESP: resp, socket: { connectTimeout: 500 } },
  });
  c.on('error', () => {});
  await c.connect();
  return { set: (k, v) => c.set(k, v), close: () => c.close() };
}

const summary = { client: args.client, resp, acked: 0, errors: 0, longest_gap_ms: 0,
                  first_error: '' };
const log = fs.openSync(args['ack-log'], 'w');
const client = await connect();
let last = Date.now();
let seq = 0;
while (!fs.existsSync(args['stop-file'])) {
  const key = `${args.prefix}${seq++}`;
  try {
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 1000));
    await Promise.race([client.set(key, String(seq)), timeout]);
    const now = Date.now();
    summary.longest_gap_ms = Math.max(summary.longest_gap_ms, now - last);
    last = now;
    summary.acked++;
    fs.writeSync(log, `${now} ${key}\n`);
  } catch (e) {
    summary.errors++;
    if (!summary.first_error) summary.first_error = String(e && e.message).slice(0, 200);
    await new Promise((r) => setTimeout(r, 20));
  }
  await new Promise((r) => setTimeout(r, 5));
}
fs.closeSync(log);
console.log(JSON.stringify(summary));
await Promise.race([client.close(), new Promise((r) => setTimeout(r, 1000))]);
process.exit(0);
