/*! cardvault loader v1 — mounts the card field (an iframe on the vault's origin) and talks to it
 * by origin-checked, versioned messages. The page only ever receives a token, brand, last4 and
 * expiry (tokenize) or a sealed envelope (encrypt); never the card number. */
(function (w, d) {
  'use strict';
  var script = d.currentScript;
  var VAULT = new URL(script && script.src ? script.src : '/', location.href).origin;

  function fail(code, message) {
    var e = new Error(message);
    e.code = code;
    return e;
  }

  function mount(target, options) {
    var host = typeof target === 'string' ? d.querySelector(target) : target;
    options = options || {};
    if (!host) throw fail('invalid_target', 'CardVault.mount: no element matches ' + target);
    if (!/^pk_\w+$/.test(options.publishableKey || '')) {
      throw fail('invalid_key', 'CardVault.mount: options.publishableKey must be a pk_ key');
    }
    var frame = d.createElement('iframe');
    var handlers = {};
    var pending = {};
    var seq = 0;
    var ready = false;
    var queued = null;
    var settings = { style: options.style || {}, locale: options.locale, messages: options.messages, cvc: options.cvc };
    frame.src = VAULT + '/v1/field?key=' + encodeURIComponent(options.publishableKey) +
      '&origin=' + encodeURIComponent(location.origin) +
      '#' + encodeURIComponent(JSON.stringify(settings));
    frame.title = options.title || 'Secure card input';
    frame.setAttribute('scrolling', 'no');
    frame.style.border = '0';
    frame.style.width = '100%';
    frame.style.height = '0';
    frame.style.display = 'block';
    frame.style.overflow = 'hidden';

    function emit(type, event) {
      (handlers[type] || []).slice().forEach(function (h) {
        try { h(event); } catch (x) { setTimeout(function () { throw x; }); }
      });
    }

    function settle(id, ok, value) {
      var p = pending[id];
      if (!p) return;
      delete pending[id];
      p[ok ? 0 : 1](value);
    }

    function onMessage(ev) {
      if (ev.origin !== VAULT || ev.source !== frame.contentWindow) return;
      var m = ev.data;
      if (!m || m.v !== 1) return;
      if (typeof m.height === 'number' && m.height >= 0) frame.style.height = Math.ceil(m.height) + 'px';
      if (m.type === 'ready') {
        ready = true;
        clearTimeout(timer);
        if (queued) post('update', queued);
        queued = null;
        emit('ready', {});
      } else if (m.type === 'change') {
        emit('change', { brand: m.brand, complete: !!m.complete, empty: !!m.empty, error: m.error || null });
      } else if (m.type === 'focus' || m.type === 'blur') {
        emit(m.type, {});
      } else if (m.type === 'result') {
        var e = m.error || {};
        if (m.ok) settle(m.id, true, m);
        else settle(m.id, false, Object.assign(fail(e.code || 'error', e.message || 'Failed'), { field: e.field }));
      }
    }

    var timer = setTimeout(function () {
      if (!ready) emit('error', { code: 'ready_timeout', message: 'The card field did not load.' });
    }, options.readyTimeout || 10000);

    function post(type, members) {
      var id = ++seq;
      frame.contentWindow.postMessage(Object.assign({ v: 1, type: type, id: id }, members), VAULT);
      return id;
    }

    function send(type) {
      return new Promise(function (resolve, reject) {
        if (!ready) return reject(fail('not_ready', 'The card field is not ready.'));
        pending[post(type)] = [resolve, reject];
      });
    }

    w.addEventListener('message', onMessage);
    host.appendChild(frame);

    return {
      on: function (type, handler) {
        (handlers[type] = handlers[type] || []).push(handler);
        return this;
      },
      tokenize: function () {
        return send('tokenize').then(function (m) { return { token: m.token, card: m.card }; });
      },
      encrypt: function () {
        return send('encrypt').then(function (m) { return m.envelope; });
      },
      // New style, locale or messages, applied without reloading the field (what the shopper
      // typed stays). Each one given replaces the current one; before `ready`, they wait for it.
      update: function (options) {
        var next = {};
        ['style', 'locale', 'messages'].forEach(function (k) {
          // As JSON: only data crosses to the field.
          if (options && options[k] !== undefined) next[k] = JSON.parse(JSON.stringify(options[k]));
        });
        if (ready) post('update', next);
        else if (frame.parentNode) queued = Object.assign(queued || {}, next);
        return this;
      },
      focus: function () { if (ready) post('focus'); },
      clear: function () { if (ready) post('clear'); },
      destroy: function () {
        w.removeEventListener('message', onMessage);
        clearTimeout(timer);
        Object.keys(pending).forEach(function (id) { settle(id, false, fail('destroyed', 'The card field was removed.')); });
        if (frame.parentNode) frame.parentNode.removeChild(frame);
        ready = false;
      }
    };
  }

  w.CardVault = { mount: mount, version: 1 };
})(window, document);
