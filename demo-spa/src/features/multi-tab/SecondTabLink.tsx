import { useDemo } from '../../app/demo-store.ts'
import { urlForMode } from '../../modes.ts'

/**
 * Opens this page, in this mode, in another tab. The SDK keeps the tabs in step (BroadcastChannel,
 * a Web Lock and an IndexedDB record); the event log of each tab shows what the other did.
 */
export function SecondTabLink() {
  const mode = useDemo((state) => state.connection.mode)
  return (
    <p className="second-tab">
      <a href={urlForMode(new URL(location.href), mode)} target="_blank" rel="noopener">
        Open a second tab
      </a>{' '}
      <span className="muted">(same mode): sign in, refresh or sign out in one and watch the other’s event log.</span>
    </p>
  )
}
