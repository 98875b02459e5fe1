import { SEVERITY_ORDER, type Finding, type Severity } from '../../core/index.ts'
import { Badge } from '../components/Badge.tsx'
import { Empty } from '../components/Empty.tsx'
import { usePanel } from '../context.tsx'
import { ArchitectureCard } from './ArchitectureCard.tsx'

/** The page's architecture, then one lint over tokens and cookies together (J1–J13, A1–A4, P1–P3, F1–F2, W1–W2, C1–C6), most severe first. */
export function AuditView() {
  const findings = usePanel((s) => s.findings)
  return (
    <div className="audit">
      <ArchitectureCard />
      {findings.length === 0 ? <Empty>No findings for what AuthLens has seen so far. Rules checked: J1–J13, A1–A4, P1–P3, F1–F2, W1–W2, C1–C6.</Empty> : <Findings findings={findings} />}
    </div>
  )
}

function Findings({ findings }: { findings: readonly Finding[] }) {
  const counts = SEVERITY_ORDER.map((severity) => [severity, findings.filter((f) => f.severity === severity).length] as const).filter(([, n]) => n > 0)
  return (
    <>
      <p className="summary">
        {counts.map(([severity, n]) => (
          <Badge key={severity} tone={severity}>
            {n} {severity}
          </Badge>
        ))}
      </p>
      <ol className="findings">
        {findings.map((finding) => (
          <li key={finding.id} className="card finding" data-testid="finding" data-rule={finding.ruleId} data-severity={finding.severity}>
            <header className="card-head">
              <Badge tone={finding.severity as Severity}>{finding.severity}</Badge>
              <strong className="mono">{finding.ruleId}</strong>
              <h3>{finding.title}</h3>
            </header>
            <p>{finding.detail}</p>
            <p className="muted">Evidence: {finding.evidence.text}</p>
            <p className="reference">Reference: {finding.reference}</p>
          </li>
        ))}
      </ol>
    </>
  )
}
