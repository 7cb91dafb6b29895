/**
 * The OpenTelemetry instrumentation, imported only when a client or stream has `telemetry` set
 * (core/telemetry.ts). A stable entry of its own (tsup.config.ts) so package.json `browser` maps it out.
 *
 * Names follow the HTTP client semantic conventions: a span per attempt, `{method} {url.template}`,
 * with `http.request.method`, `url.template`, `server.address`, `server.port`,
 * `http.response.status_code`, `http.request.resend_count` (re-sends only) and `error.type`; the
 * request id (`x-request-id`) is `connect_trade.request_id`. Parents come from the active context,
 * so the SDK's spans nest under the application's (NodeSDK registers an AsyncLocalStorage context).
 * URLs are not recorded in full: only the origin and the path template, never parameter values.
 */
import { context, type Span, SpanKind, SpanStatusCode, type Tracer, trace } from '@opentelemetry/api';
import { VERSION } from '../version';
import type { TelemetryOption, Tracing } from './telemetry';

type SpanAttributes = Record<string, string | number | undefined>;

import type { Transport } from './transport';

const ORIGIN = /^https?:\/\/(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?/i;
const WS_ORIGIN = /^wss?:\/\/(\[[^\]]+\]|[^/:?#]+)(?::(\d+))?/i;

function server(url: string, pattern: RegExp): SpanAttributes {
  const match = pattern.exec(url);
  return match
    ? {
        'server.address': match[1]?.replace(/^\[(.*)\]$/, '$1'),
        'server.port': match[2] ? Number(match[2]) : undefined,
      }
    : {};
}

function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  // error.type: low cardinality, so a network code (`ECONNRESET`) rather than a message.
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  span.setAttribute('error.type', String(code ?? cause?.code ?? (error as Error)?.name ?? 'Error'));
  span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
}

/** The tracing of a `telemetry` option. */
export function createTracing(option: TelemetryOption): Tracing {
  const tracer: Tracer =
    typeof option === 'object' ? (option.tracer as Tracer) : trace.getTracer('connect-trade', VERSION);
  return {
    attempts(transport: Transport, method: string, template: string): Transport {
      let sent = 0;
      return async (request) => {
        const resends = sent++;
        const span = tracer.startSpan(
          `${method} ${template}`,
          {
            kind: SpanKind.CLIENT,
            attributes: {
              'http.request.method': method,
              'url.template': template,
              ...server(request.url, ORIGIN),
              ...(resends > 0 ? { 'http.request.resend_count': resends } : {}),
            },
          },
          context.active(),
        );
        try {
          const response = await transport(request);
          span.setAttribute('http.response.status_code', response.status);
          const requestId = response.headers['x-request-id'];
          if (requestId) span.setAttribute('connect_trade.request_id', requestId);
          if (response.status >= 400) {
            span.setAttribute('error.type', String(response.status));
            span.setStatus({ code: SpanStatusCode.ERROR });
          }
          return response;
        } catch (error) {
          failed(span, error);
          throw error;
        } finally {
          span.end();
        }
      };
    },

    order(step, order, fn) {
      const attributes = {
        'connect_trade.cl_order_id': order.cl_order_id,
        'connect_trade.account_id': order.account_id,
      };
      return tracer.startActiveSpan(`orders.${step}`, { attributes }, async (span) => {
        try {
          return await fn();
        } catch (error) {
          failed(span, error);
          throw error;
        } finally {
          span.end();
        }
      });
    },

    stream(facade, url) {
      const on = facade.on.bind(facade);
      const where = server(url, WS_ORIGIN);
      // The attempt under way: the first connect, then each reconnect; ended by `authenticated` or `close`.
      let current: Span | undefined = tracer.startSpan('connect_trade.stream.connect', {
        kind: SpanKind.CLIENT,
        attributes: where,
      });
      on('reconnecting', (info: { attempt: number; delay: number; closeCode: number; reason: string }) => {
        current?.end();
        current = tracer.startSpan('connect_trade.stream.reconnect', {
          kind: SpanKind.CLIENT,
          attributes: {
            ...where,
            'connect_trade.stream.attempt': info.attempt,
            'connect_trade.stream.delay_ms': info.delay,
            'connect_trade.stream.close_code': info.closeCode,
          },
        });
      });
      on('authenticated', () => {
        current?.end();
        current = undefined;
      });
      on('gap', (gap: { reason: string; from?: number; to?: number }) => {
        tracer
          .startSpan('connect_trade.stream.gap', {
            attributes: {
              ...where,
              'connect_trade.gap.reason': gap.reason,
              'connect_trade.gap.from': gap.from,
              'connect_trade.gap.to': gap.to,
            },
          })
          .end();
      });
      on('close', (info: { code: number; error?: Error }) => {
        if (current) {
          current.setAttribute('connect_trade.stream.close_code', info.code);
          if (info.error) failed(current, info.error);
          current.end();
          current = undefined;
        }
      });
    },
  };
}
