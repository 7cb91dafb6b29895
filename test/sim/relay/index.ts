/**
 * The relay's simulated world (issue 21, relay part): the scenario the simulation runner
 * (scripts/sim.ts) runs next to the SDK's, and the pieces it is made of.
 */

export { RedisModel } from './redis-model';
export { createRelayScenario, makePlan, type RelayFaultPlan, type RelayModule } from './relay-scenario';

import { createRelayScenario } from './relay-scenario';

/** The relay simulation over this checkout's src/relay. */
export const relayScenario = createRelayScenario();
