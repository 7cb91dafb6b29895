/**
 * The OpenTelemetry instrumentation, imported only when a client or a brokerage stream has
 * `telemetry` set (core/telemetry.ts). A stable entry of its own (tsup.config.ts) so package.json
 * `browser` maps it out. It imports `@opentelemetry/api` (an optional peer dependency) itself, on
 * first use: without the package, telemetry is off and the logger says why.
 *
 * Names follow the HTTP client semantic conventions: a span per attempt, `{method} {url.template}`,
 * with `http.request.method`, `url.template`, `server.address`, `server.port`,
 * `http.response.status_code`, `http.request.resend_count` (re-sends only) and `error.type`; the
 * request id (`x-request-id`) is `connect_trade.request_id`. Parents come from the active context,
 * so the SDK's spans nest under the application's (NodeSDK registers an AsyncLocalStorage context).
 * URLs are not recorded in full: only the origin and the path template, never parameter values.
 */
import type { Span, Tracer } from '@opentelemetry/api';
import { VERSION } from '../version';
import type { Logger } from './logging';
import type { TelemetryOption, TracedRequest, TracedResponse, Tracing } from './tracing';

type OpenTelemetry = typeof import('@opentelemetry/api');
type SpanAttributes = Record<string, string | number | undefined>;

const ORIGIN = /^(?:https?|wss?):\/\/(\[[^\]]+\]|[^/:?#@]+)(?::(\d+))?/i;

function server(url: string): SpanAttributes {
  const match = ORIGIN.exec(url);
  return match
    ? {
        'server.address': match[1]?.replace(/^\[(.*)\]$/, '$1'),
        'server.port': match[2] ? Number(match[2]) : undefined,
      }
    : {};
}

/** The tracing of a `telemetry` option; undefined (telemetry off) without `@opentelemetry/api`. */
export async function createTracing(option: TelemetryOption, logger?: Logger): Promise<Tracing | undefined> {
  let api: OpenTelemetry;
  try {
    api = await import('@opentelemetry/api');
  } catch (error) {
    logger?.warn?.('telemetry is off: @opentelemetry/api could not be loaded (install it)', {
      error: (error as Error)?.message,
    });
    return undefined;
  }
  return tracingWith(api, option);
}

function tracingWith(api: OpenTelemetry, option: TelemetryOption): Tracing {
  const { SpanKind, SpanStatusCode, context, trace } = api;
  const tracer: Tracer =
    typeof option === 'object' ? (option.tracer as Tracer) : trace.getTracer('connect-trade', VERSION);

  const failed = (span: Span, error: unknown) => {
    span.recordException(error instanceof Error ? error : String(error));
    // error.type: low cardinality, so a network code (`ECONNRESET`) or the error class, not a message.
    const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
    span.setAttribute('error.type', String(code ?? cause?.code ?? (error as Error)?.name ?? 'Error'));
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
  };

  return {
    attempts<Req extends TracedRequest, Res extends TracedResponse>(
      transport: (request: Req) => Promise<Res>,
      method: string,
      template: string,
    ): (request: Req) => Promise<Res> {
      let sent = 0;
      return async (request: Req) => {
        const resends = sent++;
        const span = tracer.startSpan(
          `${method} ${template}`,
          {
            kind: SpanKind.CLIENT,
            attributes: {
              'http.request.method': method,
              'url.template': template,
              ...server(request.url),
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
        'connect_trade.cl_order_id': order.clOrderId,
        'connect_trade.account_id': order.accountId,
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
      const where = server(url);
      // The attempt under way: the first connect, then each reconnect; ended by `authenticated` or `close`.
      let current: Span | undefined = tracer.startSpan('connect_trade.stream.connect', {
        kind: SpanKind.CLIENT,
        attributes: where,
      });
      facade.on('reconnecting', (info) => {
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
      facade.on('authenticated', () => {
        current?.end();
        current = undefined;
      });
      facade.on('gap', (gap) => {
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
      facade.on('close', (info) => {
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
