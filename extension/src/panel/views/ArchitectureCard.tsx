import { ARCHITECTURE_NAMES, type Architecture, type ArchitectureKind, type Confidence } from '../../core/index.ts'
import { Badge, type Tone } from '../components/Badge.tsx'
import { usePanel } from '../context.tsx'

/** How the kind reads at a glance: tokens kept from the page are good, tokens on it a warning. */
const TONE: Record<ArchitectureKind, Tone> = {
  'backend-for-frontend': 'good',
  'server-session': 'good',
  'token-mediating-backend': 'warn',
  'browser-tokens': 'neutral',
  unknown: 'neutral',
}

const CONFIDENCE: Record<Confidence, string> = { high: 'high confidence', medium: 'medium confidence', low: 'low confidence' }

/** The Architecture line: where the page's credentials live, and the reasons the panel says so (architecture.ts). */
export function ArchitectureCard() {
  const architecture: Architecture = usePanel((s) => s.snapshot.architecture)
  const { kind, confidence, seen, breaks } = architecture
  return (
    <section className="card architecture" data-testid="architecture" data-kind={kind} data-confidence={confidence}>
      <header className="card-head">
        <h3>Architecture:</h3>
        <strong data-testid="architecture-kind">{ARCHITECTURE_NAMES[kind]}</strong>
        <Badge tone={TONE[kind]}>{CONFIDENCE[confidence]}</Badge>
      </header>
      {seen.length > 0 && (
        <ul className="reasons">
          {seen.map((s) => (
            <li key={s.id + s.text} data-signal={s.id}>
              {s.text}
            </li>
          ))}
        </ul>
      )}
      {breaks.length > 0 && (
        <>
          <h4>Not a backend-for-frontend because</h4>
          <ul className="reasons">
            {breaks.map((b) => (
              <li key={b.id + b.text} data-signal={b.id}>
                {b.text}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  )
}
