import type { Pairs as PairList } from '../lib/page-secrets.ts'
import { abbreviate } from '../lib/jwt.ts'

/** Name/value pairs as a script would see them; an empty list says so instead of showing nothing. */
export function Pairs({ label, pairs, empty }: { label: string; pairs: PairList; empty: string }) {
  return (
    <div className="pairs">
      <h4>{label}</h4>
      {pairs.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul aria-label={label}>
          {pairs.map(([name, value]) => (
            <li key={name}>
              <code className="name">{name}</code> = <code className="value">{abbreviate(value, 28)}</code>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}
