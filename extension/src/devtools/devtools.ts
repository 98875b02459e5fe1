/**
 * The DevTools page: lives as long as DevTools is open for a tab and only adds the panel. The
 * panel page itself reads the network and talks to the worker, so nothing here holds state.
 */
// Root-absolute paths: Firefox resolves them against the devtools page's URL, Chrome against the
// extension root; only a leading `/` means the same file in both.
chrome.devtools.panels.create('AuthLens', '/icons/icon-32.png', '/src/panel/panel.html')
