/**
 * `vite --mode worker` runs the mock backend in MSW's service worker. Its cookies are then written
 * by script, so nothing is really HttpOnly: the page has to say so wherever it relies on it.
 */
export const backendInWorker = import.meta.env.MODE === 'worker'
