// A BullMQ job queue (npm `bullmq`, its Lua scripts run by the server) through the sentinels,
// configured the way BullMQ's production guide says: ioredis Sentinel options,
// maxRetriesPerRequest null, and READONLY treated as a failover (reconnect and resend).
// A producer adds --jobs jobs with ids job-0.. one every --interval ms, retrying an add that
// fails as an application would (a repeated add of the same id is a no-op in BullMQ); a Worker
// processes them. Acknowledged adds are logged as "<unix_ms> <jobId>" to --ack-log. When every
// job is added the script waits until every job is completed (or --deadline-s passes), then
// prints a JSON summary on its last stdout line.
//   node bullmq_queue.mjs --sentinels host:port,... --master name --queue q --jobs N
//        --interval ms --ack-log path --check-file path --deadline-s s
import fs from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Queue, Worker } = require('bullmq');
const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].slice(2)] = process.argv[i + 1];
const sentinels = args.sentinels.split(',').map((s) => {
  const [host, port] = s.split(':');
  return { host, port: Number(port) };
});
const jobs = Number(args.jobs);
const interval = Number(args.interval || 10);
const deadline = Date.now() + Number(args['deadline-s'] || 60) * 1000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const connection = {
  sentinels, name: args.master, maxRetriesPerRequest: null, enableOfflineQueue: true,
  connectTimeout: 1000, sentinelRetryStrategy: () => 100, retryStrategy: () => 100,
  reconnectOnError: (err) => (String(err.message).startsWith('READONLY') ? 2 : false),
};
const summary = { jobs, acked: 0, add_errors: 0, first_add_error: '', executions: 0,
                  duplicate_executions: 0, completed_events: 0, worker_errors: 0,
                  first_worker_error: '', states: {}, wrong_results: 0, not_completed: [],
                  longest_add_gap_ms: 0, all_completed_ms: 0, duplicates: [] };
const executed = new Map();

const queue = new Queue(args.queue, { connection });
queue.on('error', () => {});
const firstRun = new Map();
const worker = new Worker(args.queue, async (job) => {
  const n = (executed.get(job.id) || 0) + 1;
  executed.set(job.id, n);
  summary.executions++;
  if (n === 1) firstRun.set(job.id, Date.now());
  if (n > 1) {
    summary.duplicate_executions++;
    summary.duplicates.push([job.id, firstRun.get(job.id)]);
  }
  await sleep(2);
  return job.data.i * 2;
}, {
  connection, concurrency: 4,
  // A lock lost with a killed master makes its job stalled; reclaim it in seconds, not the
  // default 30 s, and never fail it for stalling (the fault, not the job, caused it).
  lockDuration: 4000, stalledInterval: 2000, maxStalledCount: 1000,
});
worker.on('completed', () => { summary.completed_events++; });
worker.on('error', (e) => {
  summary.worker_errors++;
  if (!summary.first_worker_error) summary.first_worker_error = String(e && e.message).slice(0, 200);
});

const log = fs.openSync(args['ack-log'], 'w');
let last = Date.now();
for (let i = 0; i < jobs && Date.now() < deadline; i++) {
  for (;;) {
    try {
      await queue.add('work', { i }, { jobId: `job-${i}` });
      break;
    } catch (e) {
      summary.add_errors++;
      if (!summary.first_add_error) summary.first_add_error = String(e && e.message).slice(0, 200);
      if (Date.now() > deadline) break;
      await sleep(50);
    }
  }
  const now = Date.now();
  summary.longest_add_gap_ms = Math.max(summary.longest_add_gap_ms, now - last);
  last = now;
  summary.acked++;
  fs.writeSync(log, `${now} job-${i}\n`);
  await sleep(interval);
}
fs.closeSync(log);

// The driver creates --check-file once the failover has settled (the old master demoted or
// dead). Then: done when BullMQ itself reports every job completed; read each job back.
while (args['check-file'] && !fs.existsSync(args['check-file']) && Date.now() < deadline) {
  await sleep(100);
}
const start = Date.now();
while (Date.now() < deadline) {
  try {
    const c = await queue.getJobCounts('completed');
    if (c.completed >= jobs) break;
  } catch (e) { /* the queue reconnects */ }
  await sleep(200);
}
summary.all_completed_ms = Date.now() - start;
for (let i = 0; i < jobs; i++) {
  let state = 'error';
  try {
    const job = await queue.getJob(`job-${i}`);
    state = job ? await job.getState() : 'missing';
    if (job && state === 'completed' && job.returnvalue !== i * 2) summary.wrong_results++;
  } catch (e) { /* counted as 'error' */ }
  summary.states[state] = (summary.states[state] || 0) + 1;
  if (state !== 'completed') summary.not_completed.push(`job-${i}:${state}`);
}
summary.not_completed = summary.not_completed.slice(0, 500);
summary.duplicates = summary.duplicates.slice(0, 500);
console.log(JSON.stringify(summary));
await Promise.race([Promise.all([worker.close(true), queue.close()]), sleep(3000)]);
process.exit(0);
