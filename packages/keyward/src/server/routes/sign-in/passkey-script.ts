/**
 * The sign-in pages' own script, served at /sign-in/passkey.js (the pages' CSP allows scripts from
 * this origin only, never inline). It uses @simplewebauthn/browser (served at /sign-in/webauthn.js)
 * to run the WebAuthn ceremonies and shows the passkey buttons only where the browser supports
 * them: without JavaScript the pages keep working with passwords. Messages are set as text, never
 * as markup.
 */
export const PASSKEY_SCRIPT = `(function () {
  'use strict';
  var api = window.SimpleWebAuthnBrowser;
  if (!api || !api.browserSupportsWebAuthn()) return;
  function csrf() { return document.querySelector('input[name="csrf_token"]').value; }
  function status(text) { var el = document.getElementById('passkey-status'); if (el) el.textContent = text; }
  async function post(url, body) {
    var answer = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    var json = await answer.json();
    if (!answer.ok) throw new Error(json.error_description || 'The request failed.');
    return json;
  }
  function wire(buttonId, run) {
    var button = document.getElementById(buttonId);
    if (!button) return;
    var section = document.getElementById('passkey-section');
    if (section) section.hidden = false;
    button.addEventListener('click', function () {
      button.disabled = true;
      status('Follow the instructions of your browser...');
      run(button.getAttribute('data-base') || '').catch(function (error) {
        status(error && error.name === 'NotAllowedError' ? 'The passkey request was cancelled or timed out.' : (error && error.message) || 'Something went wrong.');
      }).finally(function () { button.disabled = false; });
    });
  }
  wire('passkey-sign-in', async function (base) {
    var options = await post(base + '/sign-in/passkey/options', { csrf_token: csrf() });
    var response = await api.startAuthentication({ optionsJSON: options });
    var returnTo = document.querySelector('input[name="return_to"]');
    var done = await post(base + '/sign-in/passkey', { csrf_token: csrf(), response: response, return_to: returnTo ? returnTo.value : undefined });
    window.location.assign(done.location);
  });
  // An enrolment link carries its secret in the fragment (#token=...): read it once, then drop it
  // from the address bar and the history.
  var enrolment = /^#token=([A-Za-z0-9_-]{43})$/.exec(window.location.hash);
  if (document.getElementById('passkey-enrol') && window.location.hash) history.replaceState(null, '', window.location.pathname);
  wire('passkey-enrol', async function (base) {
    if (!enrolment) throw new Error('This link is incomplete: open the whole link you were sent.');
    var options = await post(base + '/sign-in/enrol/options', { csrf_token: csrf(), enrolment_token: enrolment[1] });
    var response = await api.startRegistration({ optionsJSON: options });
    var done = await post(base + '/sign-in/enrol', { csrf_token: csrf(), enrolment_token: enrolment[1], response: response });
    status('Passkey created. Taking you to the sign-in page...');
    window.location.assign(done.location);
  });
  wire('passkey-add', async function (base) {
    var options = await post(base + '/sign-in/passkeys/options', { csrf_token: csrf() });
    var response = await api.startRegistration({ optionsJSON: options });
    await post(base + '/sign-in/passkeys', { csrf_token: csrf(), response: response });
    status('Passkey added.');
    window.location.reload();
  });
})();
`;
