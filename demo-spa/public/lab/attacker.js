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
  // The post navigates this very frame, which sits directly under the lab page. A frame nested
  // in this page would put the attacker's site between the lab and the API: a third-party context,
  // where the browser withholds even SameSite=None cookies. Here the cookie rules see what they see
  // in a top-level cross-site form post: a cross-site initiator in a first-party context.
  form.target = '_self'
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

  window.parent.postMessage({ source: 'authlens-attacker', event: 'submitted', enctype }, parent)
  form.submit()
})()
