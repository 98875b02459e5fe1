import { useSyncExternalStore } from 'react'

export type Section = 'demo' | 'lab'

const read = (): Section => (location.hash === '#lab' ? 'lab' : 'demo')
const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange)
  return () => window.removeEventListener('hashchange', onChange)
}

/** Which part of the app is shown; kept in the URL's hash so the mode query stays untouched. */
export const useSection = (): Section => useSyncExternalStore(subscribe, read)
