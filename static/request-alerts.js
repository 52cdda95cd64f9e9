// Says so on the page when an htmx request fails, instead of leaving the table as it was with
// only a console message: a PatternFly danger alert in the layout's live region
// ([data-testid="request-alerts"]). One alert at a time; it goes when closed or when a later
// request succeeds.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var DANGER_ICON =
    "M504 256c0 136.997-111.043 248-248 248S8 392.997 8 256C8 119.083 119.043 8 256 8s248 111.083 248 248zm-248 50c-25.405 0-46 20.595-46 46s20.595 46 46 46 46-20.595 46-46-20.595-46-46-46zm-43.673-165.346l7.418 136c.347 6.364 5.609 11.346 11.982 11.346h48.546c6.373 0 11.635-4.982 11.982-11.346l7.418-136c.375-6.874-5.098-12.654-11.982-12.654h-63.383c-6.884 0-12.356 5.78-11.981 12.654z";
  var CLOSE_ICON =
    "M242.72 256l100.07-100.07c12.28-12.28 12.28-32.19 0-44.48l-22.24-22.24c-12.28-12.28-32.19-12.28-44.48 0L176 189.28 75.93 89.21c-12.28-12.28-32.19-12.28-44.48 0L9.21 111.45c-12.28 12.28-12.28 32.19 0 44.48L109.28 256 9.21 356.07c-12.28 12.28-12.28 32.19 0 44.48l22.24 22.24c12.28 12.28 32.2 12.28 44.48 0L176 322.72l100.07 100.07c12.28 12.28 32.2 12.28 44.48 0l22.24-22.24c12.28-12.28 12.28-32.19 0-44.48L242.72 256z";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function icon(path, viewBox) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "pf-v6-svg");
    svg.setAttribute("viewBox", viewBox);
    svg.setAttribute("fill", "currentColor");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("width", "1em");
    svg.setAttribute("height", "1em");
    var shape = document.createElementNS(SVG, "path");
    shape.setAttribute("d", path);
    svg.appendChild(shape);
    return svg;
  }

  function region() {
    return document.querySelector('[data-testid="request-alerts"]');
  }

  function clear() {
    var list = region();
    if (list) list.replaceChildren();
  }

  function show(title, description) {
    var list = region();
    if (!list) return;
    var alert = el("div", "pf-v6-c-alert pf-m-danger");
    var iconBox = el("div", "pf-v6-c-alert__icon");
    iconBox.appendChild(icon(DANGER_ICON, "0 0 512 512"));
    var heading = el("p", "pf-v6-c-alert__title");
    heading.appendChild(el("span", "pf-v6-screen-reader", "Danger alert: "));
    heading.appendChild(document.createTextNode(title));
    var action = el("div", "pf-v6-c-alert__action");
    var close = el("button", "pf-v6-c-button pf-m-plain");
    close.type = "button";
    close.setAttribute("aria-label", "Close alert: " + title);
    var closeIcon = el("span", "pf-v6-c-button__icon");
    closeIcon.appendChild(icon(CLOSE_ICON, "0 0 352 512"));
    close.appendChild(closeIcon);
    close.addEventListener("click", clear);
    action.appendChild(close);
    var body = el("div", "pf-v6-c-alert__description");
    body.appendChild(el("p", "", description));
    alert.append(iconBox, heading, action, body);
    var item = el("li", "pf-v6-c-alert-group__item");
    item.appendChild(alert);
    list.replaceChildren(item);
  }

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var status = xhr.status + (xhr.statusText ? " " + xhr.statusText : "");
    show("The server could not complete the request", "It answered " + status + ". Reload the page and try again.");
  });
  document.addEventListener("htmx:sendError", function () {
    show("Could not reach the server", "Check your connection, then try again.");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) clear();
  });
})();
