/**
 * `connect-trade relay`: one relay process of a fleet (see README, "Running a fleet"). It competes
 * for the Redis lease; while it leads it relays the brokerage stream into the Redis Stream. Run it
 * in two or more processes for failover. Redis from `--redis` or `REDIS_URL`, or a Sentinel
 * (`--sentinel name@host:port,...`) or a Cluster (`--cluster host:port,...`); the platform
 * credentials from `CONNECT_TRADE_*` (or `--sandbox`). Stops on Ctrl+C / SIGTERM, releasing the lease.
 */
import type { Command } from 'commander';
import { ConfigurationError } from '../../index';
import { type RedisTarget, startRelay } from '../../relay';
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
    .option(
      '--sentinel <name@hosts>',
      'Redis Sentinel: the primary name and sentinels, e.g. mymaster@10.0.0.1:26379,10.0.0.2:26379',
    )
    .option('--cluster <hosts>', 'Redis Cluster: some nodes, e.g. 10.0.0.1:6379,10.0.0.2:6379')
    .option(
      '--replicas <n>',
      'WAIT for n replicas after each append (default: 1 on Sentinel/Cluster, 0 otherwise)',
      (text) => {
        const n = Number(text);
        if (!Number.isInteger(n) || n < 0) throw new ConfigurationError('--replicas needs a whole number');
        return n;
      },
    )
    .option(
      '--wait-timeout <ms>',
      'how long WAIT waits for the replicas (default: 1000)',
      positiveInt('--wait-timeout'),
    )
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
        const redis = redisTarget(o, ctx.io.env.REDIS_URL);
        const replicas = o.replicas as number | undefined;
        const waitTimeoutMs = o.waitTimeout as number | undefined;
        const maxLen = o.maxLen as number | undefined;
        const maxAgeMs = o.maxAge as number | undefined;
        const relay = startRelay({
          client: await ctx.platform(),
          redis,
          ...(typeof o.key === 'string' ? { key: o.key } : {}),
          ...(typeof o.leaseTtl === 'number' ? { lease: { ttlMs: o.leaseTtl } } : {}),
          ...(maxLen !== undefined || maxAgeMs !== undefined ? { retention: { maxLen, maxAgeMs } } : {}),
          ...(typeof o.id === 'string' ? { id: o.id } : {}),
          ...(replicas !== undefined || waitTimeoutMs !== undefined
            ? {
                replication: {
                  ...(replicas !== undefined ? { replicas } : {}),
                  ...(waitTimeoutMs !== undefined ? { timeoutMs: waitTimeoutMs } : {}),
                },
              }
            : {}),
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

/** `host:port` pairs, comma-separated. */
function addresses(text: string, option: string): { host: string; port: number }[] {
  const list = text.split(',').map((part) => {
    const at = part.lastIndexOf(':');
    const host = part.slice(0, at).trim();
    const port = Number(part.slice(at + 1));
    if (at <= 0 || host === '' || !Number.isInteger(port) || port < 1 || port > 65_535)
      throw new ConfigurationError(`${option} needs host:port pairs separated by commas (got "${part}")`);
    return { host, port };
  });
  return list;
}

/** The Redis target of the flags: one of --redis, --sentinel, --cluster, else REDIS_URL. */
function redisTarget(o: Record<string, unknown>, envUrl: string | undefined): RedisTarget {
  const given = ['redis', 'sentinel', 'cluster'].filter((k) => typeof o[k] === 'string');
  if (given.length > 1) throw new ConfigurationError('Pass one of --redis, --sentinel and --cluster');
  if (typeof o.sentinel === 'string') {
    const at = o.sentinel.indexOf('@');
    if (at <= 0) throw new ConfigurationError('--sentinel needs name@host:port[,host:port...]');
    return {
      sentinel: { name: o.sentinel.slice(0, at), nodes: addresses(o.sentinel.slice(at + 1), '--sentinel') },
    };
  }
  if (typeof o.cluster === 'string')
    return {
      cluster: {
        rootNodes: addresses(o.cluster, '--cluster').map(({ host, port }) => ({ socket: { host, port } })),
      },
    };
  const url = (typeof o.redis === 'string' ? o.redis : undefined) ?? envUrl;
  if (!url)
    throw new ConfigurationError('No Redis: pass --redis <url>, --sentinel or --cluster, or set REDIS_URL');
  return url;
}
