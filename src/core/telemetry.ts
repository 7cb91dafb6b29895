/**
 * The seam for optional OpenTelemetry. Off unless a client or a brokerage stream is given
 * `telemetry`; then the instrumentation (core/telemetry-otel.ts) is imported on first use, and it
 * imports `@opentelemetry/api` (an optional peer dependency) in turn. Nothing here loads either up
 * front, and browser bundles map the instrumentation out (package.json `browser`). This module is
 * kept to the loader: the REST client and the brokerage stream include it in every bundle.
 */

import type { Logger } from './logging';

import type { TelemetryOption, Tracing } from './tracing';

export type {
  TelemetryOption,
  TelemetryTracer,
  TracedRequest,
  TracedResponse,
  TracedStream,
  Tracing,
} from './tracing';
/**
 * Imports the instrumentation (once per option) and builds its tracing: undefined when
 * `@opentelemetry/api` is not installed (the instrumentation warns through `logger`) or in a browser
 * bundle, where the module is mapped to nothing.
 */
export function loadTracing(option: TelemetryOption, logger?: Logger): Promise<Tracing | undefined> {
  return import('./telemetry-otel').then((m) => m.createTracing?.(option, logger));
}
