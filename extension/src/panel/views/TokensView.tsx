import { useMemo, useState } from 'react'
import { usePanel } from '../context.tsx'
import { Empty } from '../components/Empty.tsx'
import { TokenCard } from './TokenCard.tsx'

/** Cards are heavy (decoded JSON, places): a long session shows the newest until asked for all. */
const FIRST_CARDS = 30

/** Every token found, newest first: one card per token, however many places it appeared in. */
export function TokensView() {
  const tokens = usePanel((s) => s.snapshot.tokens)
  const clock = usePanel((s) => s.snapshot.clock)
  const now = usePanel((s) => s.now)
  const signatures = usePanel((s) => s.snapshot.signatures)
  const dpop = usePanel((s) => s.snapshot.dpop)
  const [showAll, setShowAll] = useState(false)
  const ordered = useMemo(() => [...tokens].sort((a, b) => b.firstSeen - a.firstSeen), [tokens])
  if (ordered.length === 0) {
    return <Empty>No tokens yet. Sign in on the page, or reload it with DevTools open: AuthLens reads the network, Web Storage, cookies and the AuthLens SDK bridge.</Empty>
  }
  const shown = showAll ? ordered : ordered.slice(0, FIRST_CARDS)
  return (
    <div className="token-list">
      {shown.map((token) => (
        <TokenCard key={token.id} token={token} now={now} clock={clock} signature={signatures[token.id]} dpop={dpop[token.id]} />
      ))}
      {shown.length < ordered.length && (
        <button type="button" onClick={() => setShowAll(true)}>
          Show all {ordered.length} tokens ({ordered.length - shown.length} older)
        </button>
      )}
    </div>
  )
}
