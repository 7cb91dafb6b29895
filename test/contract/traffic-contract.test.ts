/** The traffic contract checker used by every integration file really catches violations. */
import type { SandboxTraffic } from '../../src/sandbox';
import { trafficViolations } from '../helpers/traffic-contract';

const rest = (over: Partial<Extract<SandboxTraffic, { kind: 'rest' }>>): SandboxTraffic => ({
  kind: 'rest',
  operationId: 'listOrders',
  method: 'GET',
  path: '/orders?limit=5&status=open',
  requestBody: undefined,
  status: 200,
  responseBody: { orders: [], next_cursor: null, prev_cursor: null },
  dropped: false,
  ...over,
});

describe('trafficViolations', () => {
  it('accepts conforming traffic, including an injected 503 with an Error body', () => {
    expect(
      trafficViolations([
        rest({}),
        rest({ status: 503, responseBody: { message: 'injected', code: 'sandbox_fault' } }),
        {
          kind: 'frame',
          stream: 'brokerage',
          direction: 'out',
          frame: { action: 'authenticated', session_id: 's' },
        },
      ]),
    ).toEqual([]);
  });

  it('names each violation: query parameter, request body, response body, status, frame', () => {
    const found = trafficViolations([
      rest({ path: '/orders?limit=900' }),
      rest({ path: '/orders?bogus=1' }),
      rest({ operationId: 'createUser', method: 'POST', path: '/users', requestBody: {}, responseBody: {} }),
      rest({ status: 201 }),
      rest({ status: 404, responseBody: { nope: true } }),
      {
        kind: 'frame',
        stream: 'market_data',
        direction: 'in',
        frame: { action: 'subscribe', channel: 'quotes' },
      },
    ]);
    expect(found).toEqual([
      expect.stringMatching(/query parameter limit: .*500/),
      expect.stringMatching(/query parameter bogus is not in the spec/),
      expect.stringMatching(/createUser.*request body/),
      expect.stringMatching(/createUser.*200 response/),
      expect.stringMatching(/status 201 is not declared/),
      expect.stringMatching(/404 response/),
      expect.stringMatching(/market_data frame in/),
    ]);
  });
});
