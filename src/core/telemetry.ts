/**
 * The seam for optional OpenTelemetry. Off unless a client or stream is given `telemetry`; then the
 * instrumentation (core/telemetry-otel.ts, which imports `@opentelemetry/api`, an optional peer
 * dependency) is imported on first use. Nothing here loads it up front, and browser bundles map it
 * out (package.json `browser`), so neither a client without telemetry nor a browser pays for it.
 */
import type { Transport } from './transport';

/** A tracer from `@opentelemetry/api` (typed structurally so the SDK's types do not need that package). */
export interface TelemetryTracer {
  startSpan(name: string, ...rest: never[]): unknown;
  startActiveSpan(name: string, ...rest: never[]): unknown;
}

/**
 * `true`: spans go to the global tracer provider of `@opentelemetry/api` (`trace.getTracer('connect-trade')`).
 * `{ tracer }`: spans go to that tracer. Off by default. Node only.
 */
export type TelemetryOption = boolean | { readonly tracer: TelemetryTracer };

/** What the SDK asks of the instrumentation. */
export interface Tracing {
  /** One call's transport whose every attempt is a client span named `{method} {template}`. */
  attempts(transport: Transport, method: string, template: string): Transport;
  /** Runs `fn` inside an active parent span `orders.create` or `orders.reconcile` of one order. */
  order<T>(
    step: 'create' | 'reconcile',
    order: { cl_order_id: string; account_id: string },
    fn: () => Promise<T>,
  ): Promise<T>;
  /** Records a stream's connect, reconnect and gap events (from its own events). */
  stream(facade: { on(event: string, listener: (...args: never[]) => void): unknown }, url: string): void;
}

/** The loader of a client's or stream's instrumentation: undefined when telemetry is off (no import at all). */
export type TracingLoader = () => Promise<Tracing | undefined>;

/** `option` → a loader that imports the instrumentation once, on first use; undefined when off. */
export function tracingLoader(
  option: TelemetryOption | undefined,
  warn?: (message: string) => void,
): TracingLoader | undefined {
  if (!option) return undefined;
  let pending: Promise<Tracing | undefined> | undefined;
  return () =>
    (pending ??= import('./telemetry-otel').then(
      // In a browser bundle the module is mapped to nothing: no tracing.
      (m) => m.createTracing?.(option),
      (error) => {
        warn?.(`telemetry off: ${(error as Error)?.message}`);
        return undefined;
      },
    ));
}
