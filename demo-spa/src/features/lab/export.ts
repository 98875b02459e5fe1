import type { LabRow } from './types.ts'

/** The results as a file: what ran, where, when, and every number with its unit. */
export function exportJson(rows: LabRow[], finishedAt: string | null): void {
  const document_ = {
    tool: 'AuthLens comparison lab',
    finishedAt,
    userAgent: navigator.userAgent,
    results: rows.map((row) =>
      row.kind === 'result' ? row.result : row.kind === 'failure' ? { ...row.failure, verdict: 'failed' } : { ...row.unavailable, verdict: 'unavailable' },
    ),
  }
  const url = URL.createObjectURL(new Blob([JSON.stringify(document_, null, 2)], { type: 'application/json' }))
  const link = document.createElement('a')
  link.href = url
  link.download = 'authlens-lab-results.json'
  link.click()
  // The click has started the download; the URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 0)
}
