/** The samplers OTEL_TRACES_SAMPLER (and `otel-sampler`) name, each marked with whether it takes
 *  a ratio (OTEL_TRACES_SAMPLER_ARG). */
export const OTEL_SAMPLERS: Readonly<Record<string, boolean>> = {
  always_on: false,
  always_off: false,
  traceidratio: true,
  parentbased_always_on: false,
  parentbased_always_off: false,
  parentbased_traceidratio: true,
}
