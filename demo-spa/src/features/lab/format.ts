import type { Measurement } from './types.ts'

/** `1,234 bytes/request`: the number as measured, with its unit. */
export const formatMeasurement = (measurement: Measurement): string => `${measurement.value.toLocaleString('en-US')} ${measurement.unit}`
