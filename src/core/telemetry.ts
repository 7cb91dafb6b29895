/**
 * The seam for optional OpenTelemetry. Off unless a client or a brokerage stream is given
 * `telemetry`; then the instrumentation (core/telemetry-otel.ts) is imported on first use, and it
 * imports `@opentelemetry/api` (an optional peer dependency) in turn. Nothing here loads either up
 * front, and browser bundles map the instrumentation out (package.json `browser`). This module is
 * kept to the loader: the REST client and the brokerage stream include it in every bundle.
 */

import type { Transport } from '../rest/transport';
import type { Logger } from './logging';

/** A tracer from `@opentelemetry/api` (typed structurally so the SDK's types do not need that package). */
export interface TelemetryTracer {
  /** `Tracer.startSpan` of `@opentelemetry/api`. */
  startSpan(name: string, ...rest: never[]): unknown;
  /** `Tracer.startActiveSpan` of `@opentelemetry/api`. */
  startActiveSpan(name: string, ...rest: never[]): unknown;
}

/**
 * `true`: spans go to the global tracer provider of `@opentelemetry/api` (`trace.getTracer('connect-trade')`).
 * `{ tracer }`: spans go to that tracer. Off by default. Node only.
 */
export type TelemetryOption = boolean | { readonly tracer: TelemetryTracer };

/** A stream as its tracing sees it: the events it listens to. */
export interface TracedStream {
  on(
    event: 'reconnecting',
    listener: (info: { attempt: number; delay: number; closeCode: number }) => void,
  ): unknown;
  on(event: 'authenticated', listener: () => void): unknown;
  on(event: 'gap', listener: (gap: { reason: string; from?: number; to?: number }) => void): unknown;
  on(event: 'close', listener: (info: { code: number; error?: Error }) => void): unknown;
}

/** What the SDK asks of the instrumentation. */
export interface Tracing {
  /** One call's transport whose every attempt is a client span named `{method} {template}`. */
  attempts(transport: Transport, method: string, template: string): Transport;
  /** Runs `fn` inside an active parent span `orders.create` or `orders.reconcile` of one order. */
  order<T>(
    step: 'create' | 'reconcile',
    order: { readonly clOrderId: string; readonly accountId: string },
    fn: () => Promise<T>,
  ): Promise<T>;
  /** Records a stream's connect, reconnect and gap events (it listens to the stream's own events). */
  stream(facade: TracedStream, url: string): void;
}

/**
 * Imports the instrumentation (once per option) and builds its tracing: undefined when
 * `@opentelemetry/api` is not installed (the instrumentation warns through `logger`) or in a browser
 * bundle, where the module is mapped to nothing.
 */
export function loadTracing(option: TelemetryOption, logger?: Logger): Promise<Tracing | undefined> {
  return import('./telemetry-otel').then((m) => m.createTracing?.(option, logger));
}
