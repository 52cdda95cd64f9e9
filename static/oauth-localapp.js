// /oauth/localapp: shows the access token from the address's fragment in the page's field, then
// removes the fragment so the token stays out of the history and bookmarks.
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.hash.slice(1));
  var token = params.get("access_token");
  var field = document.getElementById("local-token");
  if (field && token) field.value = token;
  if (window.location.hash) history.replaceState(null, "", window.location.pathname + window.location.search);
})();
