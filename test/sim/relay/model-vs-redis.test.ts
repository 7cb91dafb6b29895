/**
 * The simulated Redis against a real redis-server: the same command log (command-log.ts: the
 * relay's own script calls, reads, consumer groups, error cases, expiry and age-based trimming)
 * runs on both, and every reply must be the same, scripts' replies and error replies included.
 * Entry ids are compared by rank of first appearance (they are time-based), and the two PTTL-like
 * figures within 250 ms. The server runs with `stream-node-max-entries 4` and no byte limit per
 * node, and the model with 4 entries per node, so approximate trimming removes the same nodes.
 */
import { createClient } from 'redis';
import { type RedisServer, startRedisServer } from '../../helpers/redis-server';
import {
  CommandLog,
  type Compared,
  type LogStep,
  normalize,
  resolveIds,
  sameReply,
  timedSteps,
} from './command-log';
import { Prng } from './prng';
import { isBlocked, RedisModel } from './redis-model';
import { ErrorReply, type Reply, Status } from './replies';

jest.setTimeout(60_000);

let redis: RedisServer;
let client: ReturnType<typeof createClient>;

beforeAll(async () => {
  redis = await startRedisServer({
    args: ['--stream-node-max-entries', '4', '--stream-node-max-bytes', '0'],
  });
  // RESP2 on both sides (node-redis 6 speaks RESP3 by default; the relay reads both shapes, entries.ts).
  client = createClient({ url: redis.url, RESP: 2 });
  client.on('error', () => undefined);
  await client.connect();
});
afterAll(async () => {
  await client?.close?.().catch(() => undefined);
  client?.destroy?.();
  await redis?.stop();
});

function fromModel(reply: Reply): Compared {
  if (reply instanceof ErrorReply) return { error: reply.message };
  if (reply instanceof Status) return reply.value;
  if (Array.isArray(reply)) return reply.map(fromModel);
  return reply;
}

async function fromRedis(args: string[]): Promise<Compared> {
  try {
    return (await client.sendCommand(args)) as Compared;
  } catch (error) {
    if (error instanceof Error && /Error/.test(error.constructor.name) && error.constructor.name !== 'Error')
      return { error: error.message };
    throw error;
  }
}

interface Difference {
  step: number;
  args: string[];
  real: Compared;
  model: Compared;
}

/** Runs steps on both sides in lockstep; returns the first difference (or none) and the step count. */
async function compare(
  model: RedisModel,
  next: (previous: Compared | undefined) => LogStep | undefined,
): Promise<{ difference: Difference | undefined; steps: number; errors: number }> {
  const realIds: string[] = [];
  const modelIds: string[] = [];
  // Both sides start without scripts (the server is shared by the tests of this file).
  await client.sendCommand(['SCRIPT', 'FLUSH']);
  model.execute(['SCRIPT', 'FLUSH']);
  let previous: Compared | undefined;
  let steps = 0;
  let errors = 0;
  for (let step = next(undefined); step !== undefined; step = next(previous)) {
    if (step.kind === 'sleep') {
      await new Promise((r) => setTimeout(r, step.ms));
      previous = undefined;
      continue;
    }
    steps++;
    const real = normalize(await fromRedis(resolveIds(step.args, realIds)), realIds);
    const result = model.execute(resolveIds(step.args, modelIds));
    if (isBlocked(result)) throw new Error(`the log must not block: ${step.args.join(' ')}`);
    const simulated = normalize(fromModel(result), modelIds);
    if (real && typeof real === 'object' && 'error' in real) errors++;
    if (!sameReply(real, simulated, step.timing ? 250 : 0))
      return { difference: { step: steps, args: step.args, real, model: simulated }, steps, errors };
    previous = simulated;
  }
  return { difference: undefined, steps, errors };
}

const newModel = () => new RedisModel({ now: () => Date.now(), nodeMaxEntries: 4 });

describe('the simulated Redis answers as redis-server does', () => {
  it.each([1, 2, 3, 4, 5])('seeded relay command log %i (400 commands)', async (seed) => {
    const prefix = `cmp${seed}-${process.pid}`;
    const log = new CommandLog(new Prng(seed), prefix, 400);
    const result = await compare(newModel(), (previous) => log.next(previous));
    expect(result.difference).toBeUndefined();
    expect(result.steps).toBeGreaterThanOrEqual(400);
    // The log reaches error replies too (NOSCRIPT, BUSYGROUP, NOGROUP, WRONGTYPE in a script).
    expect(result.errors).toBeGreaterThan(10);
  });

  it('expiry of the lease and age-based trimming (MINID ~) agree, in real time', async () => {
    const steps = timedSteps(`timed-${process.pid}`);
    let i = 0;
    const result = await compare(newModel(), () => steps[i++]);
    expect(result.difference).toBeUndefined();
    expect(result.steps).toBe(steps.filter((s) => s.kind === 'command').length);
  });

  it('TIME has the same shape (seconds, microseconds) and the same second', async () => {
    const real = (await client.sendCommand(['TIME'])) as string[];
    const simulated = fromModel(newModel().execute(['TIME']) as Reply) as string[];
    expect(simulated).toHaveLength(2);
    expect(simulated.every((x) => /^\d+$/.test(x))).toBe(true);
    expect(Math.abs(Number(real[0]) - Number(simulated[0]))).toBeLessThanOrEqual(2);
  });

  it("a difference is reported (the comparison can fail): Lua 5.1's global unpack, which fengari's 5.3 lacks", async () => {
    const steps: LogStep[] = [{ kind: 'command', args: ['EVAL', 'return type(unpack)', '0'] }];
    let i = 0;
    const result = await compare(newModel(), () => steps[i++]);
    expect(result.difference).toMatchObject({ real: 'function', model: 'nil' });
  });

  it('an integral double concatenates as Lua 5.1 does ("2", not "2.0"): a fence seeded from the clock in ms', async () => {
    const steps: LogStep[] = [
      { kind: 'command', args: ['EVAL', "return '' .. 4/2", '0'] },
      { kind: 'command', args: ['SET', 'big', '1765160000123'] },
      { kind: 'command', args: ['EVAL', "return 'r1:' .. redis.call('INCR', KEYS[1])", '1', 'big'] },
    ];
    let i = 0;
    const result = await compare(newModel(), () => steps[i++]);
    expect(result.difference).toBeUndefined();
  });
});
