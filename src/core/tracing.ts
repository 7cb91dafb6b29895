/** The shapes of OpenTelemetry tracing as the SDK sees them (telemetry.ts loads the instrumentation, telemetry-otel.ts). */

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

/** What tracing reads of a REST attempt: the request's URL, the response's status and headers. */
export interface TracedRequest {
  readonly url: string;
}
/** See {@link TracedRequest}. */
export interface TracedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
}

/** What the SDK asks of the instrumentation. */
export interface Tracing {
  /** One call's transport whose every attempt is a client span named `{method} {template}`. */
  attempts<Req extends TracedRequest, Res extends TracedResponse>(
    transport: (request: Req) => Promise<Res>,
    method: string,
    template: string,
  ): (request: Req) => Promise<Res>;
  /** Runs `fn` inside an active parent span `orders.create` or `orders.reconcile` of one order. */
  order<T>(
    step: 'create' | 'reconcile',
    order: { readonly clOrderId: string; readonly accountId: string },
    fn: () => Promise<T>,
  ): Promise<T>;
  /** Records a stream's connect, reconnect and gap events (it listens to the stream's own events). */
  stream(facade: TracedStream, url: string): void;
}
