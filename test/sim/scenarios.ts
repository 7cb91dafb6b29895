/**
 * Every simulated world the runner runs (scripts/sim.ts, test/sim/sim.test.ts). The relay world
 * (test/sim/relay/) joins when its module is present.
 */
import type { SimScenario } from './scenario';
import { sdkScenario } from './sdk/scenario';

function optionalRelay(): SimScenario[] {
  try {
    // Guarded: the relay world lands separately; without it the runner runs the SDK world alone.
    const relay = require('./relay/index') as { relayScenario?: SimScenario };
    return relay.relayScenario ? [relay.relayScenario] : [];
  } catch (error) {
    if ((error as { code?: string }).code === 'MODULE_NOT_FOUND') return [];
    throw error;
  }
}

export const scenarios: readonly SimScenario[] = [sdkScenario, ...optionalRelay()];
