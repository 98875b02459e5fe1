import { Panel } from '../../components/Panel.tsx'
import { useJourney } from './provider-sign-in.ts'

/** The last sign-in's trip through the provider, one step per redirect and request. */
export function JourneySteps() {
  const { steps, finishing } = useJourney()
  return (
    <Panel title="Sign-in journey" className="journey">
      {finishing ? (
        <p className="muted">Back from the provider: exchanging the code…</p>
      ) : steps === null ? (
        <p className="muted">No sign-in through the provider on this page yet. Each redirect and request of the next one is listed here.</p>
      ) : (
        <ol className="journey-steps" aria-label="Sign-in steps">
          {steps.map((step, index) => (
            <li key={index} className={`tone-${step.tone}`}>
              <strong>{step.title}</strong>
              <span className="detail"> {step.detail}</span>
            </li>
          ))}
        </ol>
      )}
    </Panel>
  )
}
