/**
 * Port names. A name is only a label: the service worker decides who is on the other end from the
 * port's `sender` (a tab means a content script; an extension page URL without a tab, the panel).
 */
export const CONTENT_PORT_NAME = 'authlens-content'
export const PANEL_PORT_PREFIX = 'authlens-panel:'

export const panelPortName = (tabId: number) => `${PANEL_PORT_PREFIX}${tabId}`
