// Passkey buttons: ask the server for a challenge, let the browser create or use a passkey, then submit
// the answer with the form. Forms stay hidden in browsers without WebAuthn.
(() => {
  const webauthn = window.SimpleWebAuthnBrowser;
  if (!webauthn || !webauthn.browserSupportsWebAuthn()) return;
  for (const form of document.querySelectorAll('form[data-passkey]')) {
    form.hidden = false;
    form.addEventListener('submit', async (event) => {
      if (form.dataset.ready === 'yes') return;
      event.preventDefault();
      const error = form.querySelector('[data-passkey-error]');
      if (error) error.hidden = true;
      try {
        const csrf = form.querySelector('input[name="_csrf"]').value;
        const response = await fetch(form.dataset.options, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
          body: '{}',
        });
        if (!response.ok) throw new Error(`options ${response.status}`);
        const optionsJSON = await response.json();
        const credential = form.dataset.passkey === 'register'
          ? await webauthn.startRegistration({ optionsJSON })
          : await webauthn.startAuthentication({ optionsJSON });
        form.querySelector('input[name="credential"]').value = JSON.stringify(credential);
        // Fields typed elsewhere on the page (the address, a new password) travel with the passkey's answer.
        for (const carried of form.querySelectorAll('input[type="hidden"][data-carry]')) {
          const typed = document.querySelector(`input[name="${carried.name}"]:not([type="hidden"])`);
          if (typed) carried.value = typed.value;
        }
        form.dataset.ready = 'yes';
        form.submit();
      } catch (problem) {
        if (error) error.hidden = false;
        console.warn('passkey', problem);
      }
    });
  }
})();
