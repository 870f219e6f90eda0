// Google Analytics, loaded only for visitors who consented (LW-7). No personal data is sent:
// IP addresses are anonymised and advertising features are off.
(function () {
  var id = document.currentScript && document.currentScript.dataset.measurementId;
  if (!id) { return; }
  window.dataLayer = window.dataLayer || [];
  function gtag() { window.dataLayer.push(arguments); }
  gtag("js", new Date());
  gtag("config", id, { anonymize_ip: true, allow_google_signals: false, allow_ad_personalization_signals: false });
})();
