/**
 * The DevTools page: lives as long as DevTools is open for a tab and only adds the panel. The
 * panel page itself reads the network and talks to the worker, so nothing here holds state.
 */
chrome.devtools.panels.create('AuthLens', '', 'src/panel/panel.html')
