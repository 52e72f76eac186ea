// The demo shop's checkout: mounts the card field, tokenizes on "Pay", shows what it got back,
// then asks the shop's own server to charge the token (the server forwards it through the vault
// to the processor with its secret key, which never comes to this page).
(function () {
  'use strict';
  var mountPoint = document.getElementById('card');
  var pay = document.getElementById('pay');
  var status = document.getElementById('status');
  var result = document.getElementById('result');
  var chargeOut = document.getElementById('charge');
  var charging = mountPoint.dataset.charge === 'on';
  if (!charging) {
    document.querySelector('.charge-title').hidden = true;
    chargeOut.hidden = true;
  }

  function charge(r) {
    if (!charging) { return Promise.resolve(); }
    return fetch('/charge', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: r.token })
    }).then(function (response) {
      return response.json().then(function (answer) {
        chargeOut.textContent = JSON.stringify(answer, null, 2);
        var p = answer.processor;
        status.textContent += p && p.body && p.body.status
          ? ' · processor: ' + p.body.status + (p.body.id ? ' (' + p.body.id + ')' : '')
          : ' · charge failed';
      });
    }, function () {
      chargeOut.textContent = 'The shop could not reach its server.';
    });
  }
  var card = CardVault.mount('#card', {
    publishableKey: mountPoint.dataset.publishableKey,
    style: { base: { fontSize: '16px', color: '#1d2433' }, invalid: { color: '#b42318' } }
  });
  card.on('ready', function () { pay.disabled = false; });
  card.on('change', function (e) {
    status.textContent = e.error ? e.error.message : (e.brand && e.brand !== 'unknown' ? e.brand : '');
  });
  card.on('error', function (e) { status.textContent = e.message; });
  pay.addEventListener('click', function () {
    pay.disabled = true;
    status.textContent = 'Paying…';
    card.tokenize().then(function (r) {
      result.textContent = JSON.stringify(r, null, 2);
      status.textContent = 'Paid with ' + r.card.brand + ' •••• ' + r.card.last4 + ' (token ' + r.token + ')';
      return charge(r);
    }, function (e) {
      result.textContent = JSON.stringify({ error: { code: e.code, message: e.message, field: e.field } }, null, 2);
      status.textContent = e.message;
    }).then(function () { pay.disabled = false; });
  });
})();
