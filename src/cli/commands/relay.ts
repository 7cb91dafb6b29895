/**
 * `connect-trade relay`: one relay process of a fleet (see README, "Running a fleet"). It competes
 * for the Redis lease; while it leads it relays the brokerage stream into the Redis Stream. Run it
 * in two or more processes for failover. Redis from `--redis` or `REDIS_URL`; the platform
 * credentials from `CONNECT_TRADE_*` (or `--sandbox`). Stops on Ctrl+C / SIGTERM, releasing the lease.
 */
import type { Command } from 'commander';
import { ConfigurationError } from '../../index';
import { startRelay } from '../../relay';
import type { ActionWrapper } from '../action';
import { colorsFor } from '../io';
import { untilStopped } from '../live-view';
import { printEvent } from '../output';
import { positiveInt } from '../parse';

/** Registers `relay`. */
export function registerRelay(program: Command, wrap: ActionWrapper): void {
  program
    .command('relay')
    .description('relay the brokerage stream into Redis for a fleet (leader election; Ctrl+C to stop)')
    .option('--redis <url>', 'Redis URL (default: REDIS_URL)')
    .option('--key <prefix>', 'prefix of the Redis keys (default: connect-trade)')
    .option('--lease-ttl <ms>', 'lease time to live in ms (default: 5000)', positiveInt('--lease-ttl'))
    .option('--max-len <n>', 'keep about n entries (default: 100000)', positiveInt('--max-len'))
    .option('--max-age <ms>', 'keep entries about this many ms', positiveInt('--max-age'))
    .option('--id <id>', "this relay's id in the lease (default: host-pid-random)")
    .option('--metrics-every <s>', 'print the figures every s seconds (default: 0, never)', (text) => {
      const n = Number(text);
      if (!Number.isInteger(n) || n < 0) throw new ConfigurationError('--metrics-every needs a whole number');
      return n;
    })
    .action(
      wrap(async (ctx, _args, o) => {
        const redis = (typeof o.redis === 'string' ? o.redis : undefined) ?? ctx.io.env.REDIS_URL;
        if (!redis) throw new ConfigurationError('No Redis: pass --redis <url> or set REDIS_URL');
        const maxLen = o.maxLen as number | undefined;
        const maxAgeMs = o.maxAge as number | undefined;
        const relay = startRelay({
          client: await ctx.platform(),
          redis,
          ...(typeof o.key === 'string' ? { key: o.key } : {}),
          ...(typeof o.leaseTtl === 'number' ? { lease: { ttlMs: o.leaseTtl } } : {}),
          ...(maxLen !== undefined || maxAgeMs !== undefined ? { retention: { maxLen, maxAgeMs } } : {}),
          ...(typeof o.id === 'string' ? { id: o.id } : {}),
        });
        const io = ctx.io;
        const c = colorsFor(io);
        const say = (event: string, text: string, data?: unknown) => {
          if (ctx.json) printEvent(io, event, data);
          else io.out(`${new Date().toISOString()} ${text}\n`);
        };
        const { id } = relay.metrics();
        say('started', `relay ${id}: standing by for the lease`, { id });
        relay.on('role', (role, { fence }) =>
          say(
            'role',
            role === 'leader' ? c.green(`leader (fence ${fence}): relaying`) : c.yellow('standby'),
            { role, fence },
          ),
        );
        relay.on('session', (info) => say('session', `upstream session ${info.sessionId}`, info));
        relay.on('error', (error) =>
          ctx.json
            ? printEvent(io, 'error', { name: error.name, message: error.message })
            : io.err(`${error.name}: ${error.message}\n`),
        );
        const every = typeof o.metricsEvery === 'number' ? o.metricsEvery : 0;
        const timer =
          every > 0
            ? setInterval(() => {
                const m = relay.metrics();
                say(
                  'metrics',
                  `${m.role} fence ${m.fence ?? '-'} upstream ${m.upstream} ${m.entriesPerSecond}/s written ${m.entriesWritten} fenced ${m.fencedWrites}`,
                  m,
                );
              }, every * 1_000)
            : undefined;
        const { stopped } = untilStopped(io);
        try {
          await stopped;
        } finally {
          clearInterval(timer);
          await relay.close();
          say('stopped', 'relay stopped (lease released)');
        }
      }),
    );
}
