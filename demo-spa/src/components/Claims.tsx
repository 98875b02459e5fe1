import { clockTime } from '../lib/format.ts'

const TIME_CLAIMS = new Set(['iat', 'exp', 'nbf', 'auth_time'])

function show(name: string, value: unknown): string {
  if (TIME_CLAIMS.has(name) && typeof value === 'number') return `${value} (${clockTime(value * 1000)})`
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** Claims (or a JOSE header) as a definition list; times also shown as clock times. */
export function Claims({ values }: { values: Record<string, unknown> }) {
  return (
    <dl className="claims">
      {Object.entries(values).map(([name, value]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>{show(name, value)}</dd>
        </div>
      ))}
    </dl>
  )
}
