import type { HeaderEntry, ExchangeObservation } from '../observations.ts'

/** Builds a HAR-like exchange with sensible defaults. Test-only. */
export function exchange(partial: {
  at?: number
  sentAt?: number
  method?: string
  url?: string
  requestHeaders?: Record<string, string> | HeaderEntry[]
  requestBody?: string
  status?: number
  responseHeaders?: Record<string, string> | HeaderEntry[]
  responseBody?: string
}): ExchangeObservation {
  const list = (h: Record<string, string> | HeaderEntry[] | undefined): HeaderEntry[] =>
    Array.isArray(h) ? h : Object.entries(h ?? {}).map(([name, value]) => ({ name, value }))
  return {
    kind: 'exchange',
    at: partial.at ?? 1_000_000,
    ...(partial.sentAt === undefined ? {} : { sentAt: partial.sentAt }),
    request: {
      method: partial.method ?? 'GET',
      url: partial.url ?? 'https://app.example.com/api/notes',
      headers: list(partial.requestHeaders),
      ...(partial.requestBody === undefined ? {} : { body: partial.requestBody }),
    },
    response: {
      status: partial.status ?? 200,
      headers: list(partial.responseHeaders),
      ...(partial.responseBody === undefined ? {} : { body: partial.responseBody }),
    },
  }
}
